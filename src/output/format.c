/* SPDX-License-Identifier: BSD-2-Clause */
#include "output/format.h"

#include "dissectors/tls_tables.h"

/* Civil date from days since 1970-01-01 (H. Hinnant's algorithm): no TZ, no gmtime_r. */
static void
civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void
cp_fmt_time(GString *out, int64_t sec, uint32_t nsec, bool frac)
{
    int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
    int64_t rem = sec - days * 86400;
    int64_t y;
    unsigned m, d;

    civil(days, &y, &m, &d);
    g_string_append_printf(out, "%04" G_GINT64_FORMAT "-%02u-%02uT%02u:%02u:%02u", y, m, d,
                           (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
    if (frac)
        g_string_append_printf(out, ".%06u", nsec / 1000);
    g_string_append_c(out, 'Z');
}

void
cp_fmt_time_ns(GString *out, uint64_t ts_ns, bool frac)
{
    cp_fmt_time(out, (int64_t)(ts_ns / 1000000000u), (uint32_t)(ts_ns % 1000000000u), frac);
}

void
cp_fmt_version(GString *out, uint16_t v)
{
    const char *n = cp_tls_version_name(v);

    if (n != NULL)
        g_string_append(out, n);
    else
        g_string_append_printf(out, "0x%04X", v);
}

void
cp_fmt_cipher(GString *out, uint16_t v)
{
    const char *n = cp_tls_cipher_name(v);

    if (n != NULL)
        g_string_append(out, n);
    else
        g_string_append_printf(out, "0x%04X", v);
}

void
cp_fmt_alert(GString *out, int desc)
{
    const char *n = desc >= 0 && desc < 256 ? cp_tls_alert_name((uint8_t)desc) : NULL;

    if (n != NULL)
        g_string_append(out, n);
    else
        g_string_append_printf(out, "alert_%d", desc);
}
