/* SPDX-License-Identifier: BSD-2-Clause */
/* json: one JSON text (RFC 8259) into a small tree, read through CpReader (STYLE R1). certpath
 * reads JSON only from other certpath sensors (--records), but those lines travel through log
 * shippers and files anyone can write, so they are untrusted input: nesting and the number of
 * values are bounded by the caller (R25), strings must be valid UTF-8, and a bad text is one
 * status, never an assertion (R11). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

typedef enum CpJsonType {
    CP_JSON_NULL,
    CP_JSON_BOOL,
    CP_JSON_NUMBER,
    CP_JSON_STRING,
    CP_JSON_ARRAY,
    CP_JSON_OBJECT,
} CpJsonType;

typedef enum CpJsonStatus {
    CP_JSON_OK = 0,
    CP_JSON_MALFORMED, /* not JSON, or a string that is not UTF-8 */
    CP_JSON_TOO_DEEP,  /* nested beyond max_depth */
    CP_JSON_TOO_MANY,  /* more than max_values values */
} CpJsonStatus;

/* Lifetime: the caller's (one line). Members keep their order; a repeated key keeps every copy
 * and cp_json_member() finds the first. */
typedef struct CpJson {
    CpJsonType type;
    bool boolean;
    bool is_uint;     /* NUMBER: a non-negative integer that fits in uint64 */
    uint64_t uint;    /* when is_uint */
    char *string;     /* STRING: decoded UTF-8, NUL-terminated (\u0000 is refused) */
    GPtrArray *items; /* ARRAY: CpJson*; OBJECT: the values */
    GPtrArray *keys;  /* OBJECT: char*, parallel to items */
} CpJson;

/* (transfer full) the value of data[0..len) (surrounding white space allowed), or NULL with
 * *status saying why. max_depth counts nested arrays and objects; max_values every value. */
CpJson *cp_json_parse(const uint8_t *data, size_t len, size_t max_depth, size_t max_values,
                      CpJsonStatus *status);
void cp_json_free(CpJson *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CpJson, cp_json_free)

/* Accessors answer NULL/false for a value of another type, so callers check shape once. */
/* (transfer none) the first member named key of an object, NULL when absent or not an object */
const CpJson *cp_json_member(const CpJson *obj, const char *key);
/* (transfer none) the string of a STRING value, NULL otherwise */
const char *cp_json_string(const CpJson *v);
/* (transfer none) member key as a string; NULL when absent, null or not a string */
const char *cp_json_member_string(const CpJson *obj, const char *key);
/* member key as a boolean; false when absent or not a boolean */
bool cp_json_member_bool(const CpJson *obj, const char *key);
/* number of items of an ARRAY, 0 otherwise */
size_t cp_json_array_len(const CpJson *v);
/* (transfer none) item i of an ARRAY (i < cp_json_array_len) */
const CpJson *cp_json_array_at(const CpJson *v, size_t i);
