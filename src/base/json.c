/* SPDX-License-Identifier: BSD-2-Clause */
/* json: a recursive-descent reader of RFC 8259 over CpReader. Recursion is bounded by the
 * caller's max_depth, allocation by max_values and by the length of the text itself. */
#include "base/json.h"

#include "base/reader.h"

typedef struct Parser {
    CpReader r;
    size_t depth, max_depth;
    size_t values, max_values;
    CpJsonStatus status;
} Parser;

static CpJson *parse_value(Parser *p);

static bool
fail(Parser *p, CpJsonStatus st)
{
    if (p->status == CP_JSON_OK)
        p->status = st;
    return false;
}

static bool
peek(const Parser *p, uint8_t *c)
{
    return cp_reader_peek_u8(&p->r, 0, c);
}

/* Past a byte already peeked at (so it cannot fail on a good reader). */
static void
advance(Parser *p)
{
    uint8_t c;

    if (!cp_reader_u8(&p->r, &c))
        fail(p, CP_JSON_MALFORMED);
}

static void
skip_ws(Parser *p)
{
    uint8_t c;

    while (peek(p, &c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
        advance(p);
}

/* Consumes the literal word (true, false, null) or fails. */
static bool
expect_word(Parser *p, const char *word)
{
    size_t n = strlen(word);
    const uint8_t *v;

    if (!cp_reader_bytes(&p->r, n, &v) || memcmp(v, word, n) != 0)
        return fail(p, CP_JSON_MALFORMED);
    return true;
}

static bool
hex4(Parser *p, uint32_t *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c;
        if (!cp_reader_u8(&p->r, &c) || !g_ascii_isxdigit(c))
            return fail(p, CP_JSON_MALFORMED);
        *out = *out << 4 | (uint32_t)g_ascii_xdigit_value((char)c);
    }
    return true;
}

/* \uXXXX, with a following \uXXXX when it is a high surrogate (RFC 8259 §7). */
static bool
unicode_escape(Parser *p, GString *s)
{
    uint32_t cp, lo;

    if (!hex4(p, &cp))
        return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(p, CP_JSON_MALFORMED); /* a lone low surrogate */
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (!expect_word(p, "\\u") || !hex4(p, &lo))
            return fail(p, CP_JSON_MALFORMED);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(p, CP_JSON_MALFORMED);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    g_string_append_unichar(s, (gunichar)cp);
    return true;
}

static bool
escape(Parser *p, GString *s)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    uint8_t c;

    if (!cp_reader_u8(&p->r, &c))
        return fail(p, CP_JSON_MALFORMED);
    if (c == 'u')
        return unicode_escape(p, s);
    const char *at = c != 0 ? strchr(from, c) : NULL;
    if (at == NULL)
        return fail(p, CP_JSON_MALFORMED);
    g_string_append_c(s, to[at - from]);
    return true;
}

/* After the opening quote: the decoded string, or NULL. */
static char *
parse_string_raw(Parser *p)
{
    g_autoptr(GString) s = g_string_new(NULL);
    uint8_t c;

    for (;;) {
        if (!cp_reader_u8(&p->r, &c)) {
            fail(p, CP_JSON_MALFORMED);
            return NULL;
        }
        if (c == '"')
            break;
        if (c < 0x20) {
            fail(p, CP_JSON_MALFORMED); /* control characters must be escaped */
            return NULL;
        }
        if (c == '\\') {
            if (!escape(p, s))
                return NULL;
            continue;
        }
        g_string_append_c(s, (char)c);
    }
    if (!g_utf8_validate(s->str, (gssize)s->len, NULL)) {
        fail(p, CP_JSON_MALFORMED);
        return NULL;
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static bool
digits(Parser *p, uint64_t *acc, bool *fits)
{
    uint8_t c;
    size_t n = 0;

    while (peek(p, &c) && g_ascii_isdigit(c)) {
        unsigned d = (unsigned)(c - '0');
        if (*acc > (UINT64_MAX - d) / 10)
            *fits = false;
        else
            *acc = *acc * 10 + d;
        advance(p);
        n++;
    }
    return n > 0 || fail(p, CP_JSON_MALFORMED);
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
parse_number(Parser *p, CpJson *v)
{
    uint8_t c = 0;
    uint64_t acc = 0, ignored = 0;
    bool fits = true, negative = false, plain = true;

    if (peek(p, &c) && c == '-') {
        negative = true;
        advance(p);
    }
    uint8_t first = 0;
    if (peek(p, &first) && first == '0' && cp_reader_peek_u8(&p->r, 1, &c) && g_ascii_isdigit(c))
        return fail(p, CP_JSON_MALFORMED); /* no leading zeros */
    if (!digits(p, &acc, &fits))
        return false;
    if (peek(p, &c) && c == '.') {
        plain = false;
        advance(p);
        if (!digits(p, &ignored, &fits))
            return false;
    }
    if (peek(p, &c) && (c == 'e' || c == 'E')) {
        plain = false;
        advance(p);
        if (peek(p, &c) && (c == '+' || c == '-'))
            advance(p);
        if (!digits(p, &ignored, &fits))
            return false;
    }
    v->is_uint = plain && !negative && fits;
    v->uint = v->is_uint ? acc : 0;
    return true;
}

/* '[' already consumed. */
static bool
parse_array(Parser *p, CpJson *v)
{
    uint8_t c;

    v->items = g_ptr_array_new_with_free_func((GDestroyNotify)cp_json_free);
    skip_ws(p);
    if (peek(p, &c) && c == ']')
        return cp_reader_skip(&p->r, 1);
    for (;;) {
        CpJson *item = parse_value(p);
        if (item == NULL)
            return false;
        g_ptr_array_add(v->items, item);
        skip_ws(p);
        if (!cp_reader_u8(&p->r, &c) || (c != ',' && c != ']'))
            return fail(p, CP_JSON_MALFORMED);
        if (c == ']')
            return true;
    }
}

/* '{' already consumed. */
static bool
parse_object(Parser *p, CpJson *v)
{
    uint8_t c;

    v->items = g_ptr_array_new_with_free_func((GDestroyNotify)cp_json_free);
    v->keys = g_ptr_array_new_with_free_func(g_free);
    skip_ws(p);
    if (peek(p, &c) && c == '}')
        return cp_reader_skip(&p->r, 1);
    for (;;) {
        skip_ws(p);
        if (!cp_reader_u8(&p->r, &c) || c != '"')
            return fail(p, CP_JSON_MALFORMED);
        char *k = parse_string_raw(p);
        if (k == NULL)
            return false;
        g_ptr_array_add(v->keys, k);
        skip_ws(p);
        if (!cp_reader_u8(&p->r, &c) || c != ':')
            return fail(p, CP_JSON_MALFORMED);
        CpJson *item = parse_value(p);
        if (item == NULL) {
            g_ptr_array_remove_index(v->keys, v->keys->len - 1);
            return false;
        }
        g_ptr_array_add(v->items, item);
        skip_ws(p);
        if (!cp_reader_u8(&p->r, &c) || (c != ',' && c != '}'))
            return fail(p, CP_JSON_MALFORMED);
        if (c == '}')
            return true;
    }
}

static bool
parse_container(Parser *p, CpJson *v, uint8_t open)
{
    if (p->depth >= p->max_depth)
        return fail(p, CP_JSON_TOO_DEEP);
    p->depth++;
    advance(p);
    bool ok = open == '[' ? parse_array(p, v) : parse_object(p, v);
    p->depth--;
    return ok;
}

static bool
parse_into(Parser *p, CpJson *v, uint8_t c)
{
    switch (c) {
    case '{':
        v->type = CP_JSON_OBJECT;
        return parse_container(p, v, c);
    case '[':
        v->type = CP_JSON_ARRAY;
        return parse_container(p, v, c);
    case '"':
        v->type = CP_JSON_STRING;
        advance(p);
        return (v->string = parse_string_raw(p)) != NULL;
    case 't':
        v->type = CP_JSON_BOOL;
        v->boolean = true;
        return expect_word(p, "true");
    case 'f':
        v->type = CP_JSON_BOOL;
        return expect_word(p, "false");
    case 'n':
        v->type = CP_JSON_NULL;
        return expect_word(p, "null");
    default:
        v->type = CP_JSON_NUMBER;
        if (c != '-' && !g_ascii_isdigit(c))
            return fail(p, CP_JSON_MALFORMED);
        return parse_number(p, v);
    }
}

static CpJson *
parse_value(Parser *p)
{
    uint8_t c;

    skip_ws(p);
    if (!peek(p, &c)) {
        fail(p, CP_JSON_MALFORMED);
        return NULL;
    }
    if (p->values >= p->max_values) {
        fail(p, CP_JSON_TOO_MANY);
        return NULL;
    }
    p->values++;
    /* g_malloc0, not g_new0: src/base/limits.h shadows <limits.h> here, and g_new0 needs it. */
    CpJson *v = g_malloc0(sizeof *v);
    if (!parse_into(p, v, c)) {
        cp_json_free(v);
        return NULL;
    }
    return v;
}

CpJson *
cp_json_parse(const uint8_t *data, size_t len, size_t max_depth, size_t max_values,
              CpJsonStatus *status)
{
    Parser p = { .max_depth = max_depth, .max_values = max_values };

    cp_reader_init(&p.r, data, len, len);
    CpJson *v = parse_value(&p);
    skip_ws(&p);
    if (v != NULL && cp_reader_remaining(&p.r) > 0) {
        fail(&p, CP_JSON_MALFORMED); /* one text per line: nothing may follow it */
        g_clear_pointer(&v, cp_json_free);
    }
    if (v == NULL && p.status == CP_JSON_OK)
        p.status = CP_JSON_MALFORMED;
    *status = p.status;
    return v;
}

void
cp_json_free(CpJson *v)
{
    if (v == NULL)
        return;
    g_free(v->string);
    if (v->items != NULL)
        g_ptr_array_free(v->items, TRUE);
    if (v->keys != NULL)
        g_ptr_array_free(v->keys, TRUE);
    g_free(v);
}

const CpJson *
cp_json_member(const CpJson *obj, const char *key)
{
    if (obj == NULL || obj->type != CP_JSON_OBJECT)
        return NULL;
    for (guint i = 0; i < obj->keys->len; i++)
        if (strcmp(obj->keys->pdata[i], key) == 0)
            return obj->items->pdata[i];
    return NULL;
}

const char *
cp_json_string(const CpJson *v)
{
    return v != NULL && v->type == CP_JSON_STRING ? v->string : NULL;
}

const char *
cp_json_member_string(const CpJson *obj, const char *key)
{
    return cp_json_string(cp_json_member(obj, key));
}

bool
cp_json_member_bool(const CpJson *obj, const char *key)
{
    const CpJson *v = cp_json_member(obj, key);
    return v != NULL && v->type == CP_JSON_BOOL && v->boolean;
}

size_t
cp_json_array_len(const CpJson *v)
{
    return v != NULL && v->type == CP_JSON_ARRAY ? v->items->len : 0;
}

const CpJson *
cp_json_array_at(const CpJson *v, size_t i)
{
    return i < cp_json_array_len(v) ? v->items->pdata[i] : NULL;
}
