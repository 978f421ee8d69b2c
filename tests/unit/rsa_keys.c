/* SPDX-License-Identifier: BSD-2-Clause */
/* rsa_keys: RSA keys for the unit tests, made once with `openssl genpkey -algorithm RSA
 * -pkeyopt rsa_keygen_bits:N` and kept here; they protect nothing. Generating RSA keys costs
 * seconds natively and minutes under valgrind (test_x509 took 671 s there, test_diagnose about
 * as long), and no test needs a fresh one. */
#include "rsa_keys.h"

#include <openssl/pem.h>

#include <CUnit/CUnit.h>

static const char rsa1024_0[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAOl6UPopEg395gtl\n"
                                "gxzxzAS/XpCb0+9iSBu8Gkc8q0QmsFoLISeU7LqrXqx/n8Xka6s86jjntJIlFQh9\n"
                                "piSfI6qBOo+7XmWnQ/VIWBUeg8y3DF97dRc7n9prEMkdy2tCQTxKOxR4tD2n8XEV\n"
                                "k4XDp2cbKKMDydCesMgrs7vArK29AgMBAAECgYEAn3Ov1gkykWezMllTn/Lq2Nsx\n"
                                "ZCVoKna+tGJUuA4REWwyyGwNapDk09+xurE2ltoXRk1F0TM9OQomQTQ+wYgFvGBq\n"
                                "Fjsajgs4PTV46P+XdUprsOH1jeKt+fogrqSM/z083ZKnQavg7W/w3DA5UdSfzlvW\n"
                                "gO3dnMvaD6kvNRLA2AECQQD+sx3s3o+Se8gJwS3sdACnTwcpz560N+upZnLtjhet\n"
                                "XIzAU6SxlwacVaPpt5bbbLaGvwbqapCxJfeyf5EXggq9AkEA6qt2lNotYDArPogW\n"
                                "Jqd0Sdh7pT4DxEZ4DOLsJoqFIqMToqGNV4U2rKBdcAF89eyWi8JudzScltmw6rAk\n"
                                "7hDfAQJBAN/CrL+0p52hcZRgSuA46XoTS8/Hvz3FAxzIDJ/2/YYokN9GnKIIdJ5T\n"
                                "/rUNvVL4p0KqAIFhLczz9jCzMdzdOmECQGX7h/gebPPNWy28tGuuAEKLWwivz7E/\n"
                                "srJe96O0NTGdT04xCRzM3rrcol6ntuelHrO0Fo+lhJumFVWYoSP4nwECQQDlwR05\n"
                                "flTk66ty4d/RI6iqxoNQ3PgD6qP8S8GRM6zg/ulS4vdVSN/S1OPueSNdehjoIIb2\n"
                                "VgqJ8f1U6nqDcE6R\n"
                                "-----END PRIVATE KEY-----\n";

static const char rsa2048_0[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7j1GowQd8UB/6\n"
                                "WJjzyd7RKGv7a/il4qZrQkHSjh0xBYSC9q8as4Hy7WWOEU1g8O9tFCLmHhKfSUde\n"
                                "eKHPRfvwF6PTQnCtu53S/BnktefInWWrYriozYSIXZiNIvXLhCTb2DGCSeiqR++r\n"
                                "WC7T3BjG8s/IMxM7Qv9GpJTHGf8ceYvGPPeMU6+d5jhep3RwlTjQ9bwtWofHzzm7\n"
                                "nqdLxDMBV8xpjX2CFMGqQ81Kd3WOoR6K/aTybsbo+xHZblP7vhGGBKBP7Ww1API5\n"
                                "c1rvIq10g9AWs/SuyJZ/kTicYqIJwLSYbZS1wHMGJtJROOuylXLvhVt6uVX4eEsC\n"
                                "wHubcx8ZAgMBAAECggEAE09lcuBcwERnkRi/YT9uvKNSwBHqXvnUycTf41OqVw+1\n"
                                "st4UQnAqIt6kzq74A9EKdXUrRVHh95r4dBYrYpxWnJjHzx+ksN5Yw2NyhFo4wNjO\n"
                                "TN+JxNH+oSOHFJDS3t8orvxf1zAmJNHp2lQ741K3t6lBZzU1olZQKJptOYpy+iAE\n"
                                "Ae0FZ0WgPhgpmgdpMANib4kzns5JbZTDTGnxSHdvnxu/nQ3CLTTliXaCFAMxVqdT\n"
                                "xdiRFx8PI0PwfdugamdsVXagJFLsKuBA5Kxnwomp8Cs8iRqrsMRIrwtFkJE7/Kq6\n"
                                "iT0/qDEoypwfNErV15uMZfIWUQmGrw637VHDzzpXOQKBgQD2OEsRYSoziRRwU0AM\n"
                                "RN64Aig00ecNo2UuRc+sX3QNIioLwsP+DHh5HBl/z0NpanZ5MCYVQ4Tf6uGi9C/Q\n"
                                "JLFs/JLGojAwXNSnlExVaUKq09N5CJNjbf6BuYajD/e/o9hY+f7VN7WlkMo2CFhj\n"
                                "1s/4W1nWLMq6gMi55L+Qm8JehwKBgQDDAolIk4LXYLYSH4zSMxO4N5wCidf8gyH/\n"
                                "4apXOwAjzWVLw1et1lGwTCV2sM21HFNT455peddgl/JjeGZeLRsByY3DtnnOiBoJ\n"
                                "wZwD0VlG05YVYRIlHhZJj/B1LalQZ7oZp0stD8e8frYOkoGY8LznaZtvvJLgcn94\n"
                                "lKTUme1dXwKBgQDhSjT13BA/Q4ieFq6eC0421FJxsjZWNlHYeyxArr6DXeVXCYlI\n"
                                "JaT+PAXg+obWKAHrdXEDN9qXAFYhQomVTF3EOX8bnT+2oNo70+fcpwnHQTdYoc4q\n"
                                "xnR/woA9J9krUwIct/LCqczdh5ReyFgIUn/M4dlbrXR6HmiMH5BhAwRgdQKBgD0i\n"
                                "EWl4HN9qCQnbbCkFLBxnCnhdQCF/9muiEeVwsJWIsUW0AkuT0V4EMQZpXMN3EsRM\n"
                                "qf+E27kDSVBXkTfaygmgZtnA3aSaVBdU45TqzyL996HSIX8TVIdRIV+KpfZ33gZm\n"
                                "xJFmzgXQb0BYO1p3tbCSEdFQe3bzTfS+HIItkxTfAoGAAxOIITdkEYTnM4UGaEUF\n"
                                "JmjZOac6I7SUqh2tH1NThqBrAbMgPb8JYP/gHNATv7cJcU/KENNl9RbInBSnB/FK\n"
                                "6ZaVsPnnvhOsKWiOlyvFJLAyRpMLChz/8TW7Vg5TFPUC+IQz0xD/RC32139jJrNh\n"
                                "azenftAClN9BY2Xx2AOuIAk=\n"
                                "-----END PRIVATE KEY-----\n";

static const char rsa2048_1[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC9AsJ26PvjIrvE\n"
                                "EDkKzQO43JlWUmQyOZRbucr/xvgz2YFzlrrmx0sEMvT15+i5xhDFBh+RXlbGlavr\n"
                                "DnmGvK47qj9tjUOiWzgrmeEqJ4l3dDjdmb4AFMaLjdZDJXra0U4p4i2QhfoRCfd5\n"
                                "0QpOFJ2HNwKk3eWKOuvJn/FSRoAuTbL+OITRt7RsaNItYg0V+uDLTF0SX7VLbnp0\n"
                                "QmsJM19BSsN1cA0vzJUUHLrIp7zw5Jzcd1XootQNkX3UZg4Q5Aa9H8BTKwMVHWw7\n"
                                "yoWUyzlhtSjVH0UiezaD3ce9DQ1zAqB+ZslQwgecwyeXQaROtk5XaYF4mk3MOLez\n"
                                "MeUsh3nLAgMBAAECggEAPGfyYHBreBb0rV+F63bEFsOh2d2xGgAe8wW44+/iCSgd\n"
                                "YCSvDOxqhCgI88IvNZggaedgFWRyFTtmW1Qf8LjCcl0hslBwaiX/GKgwNvm1zFB/\n"
                                "kAr/lyUMozMsY/9JeT9lXKtlZof6+JEX3324bmXWRo2FMc2c+4WDL8gHJwVTF/i8\n"
                                "46BrHkxlp1reCZiHN6qwJr40LZJfRi0eqQFun81199MHErY3IUkJ2UVGnOl4OhBS\n"
                                "QAL+HUVXeKuqYjG2wYx+7VX7SeDonMq90FgJpbkj95xMhQcESNkzpiYy9QI8O0BD\n"
                                "2OLBpuGlnSmA0tmuobNQMg+1NBu/08tLa+hsBUq2wQKBgQD/0FJ2fXFsLfHdgIRf\n"
                                "J74Ufp5jHA+weGde89DfzhAwZzl2axH1Maf2j4qoWxTOPGmQF8PeqVMQNPwMyg/z\n"
                                "qRE+S5+KvjWWcLAGmBAs/ZDjTG9qfXJGLG9mWS1py3FKcDvxd7FOMkxIuOD4xjZc\n"
                                "6M9RTOJpBhdS9b7mV+vGx1LvKwKBgQC9JfyokXdbJ7yYPj7ZuK4BRDrBiJ8KAx5R\n"
                                "5wm35r14ZBvAnpkt3Wi+51bIORbvAQkex73RFFHMDzRSLijFQrA5ZLebMGoCOYmP\n"
                                "/UvOVTeBIjy75N0GyQAV8M4aXPTJlKIZwEmsCa2VizhdIq8gr0yL3lg4EbKpGXD9\n"
                                "kzS2+/9P4QKBgQCTK/7FPJYsbqJflLiTJgItOEtXKaW9GQgfkJXyrFKUBk8A2ciT\n"
                                "D+ZZ62sSQJRPsmHpDEMbrr6i7Fi14uoafIH3HPrEj3m0+0/J+2ITAC6DFk5jLZi4\n"
                                "1oegkl2WJ/0dnkReP0Y6fqV0kSic9yv/d9EOLPV1BpQUnl0dmCeFTNdh0QKBgFId\n"
                                "v8bfAFZOtg3SWC7lgoWCPY/v5DvQhsU/7HQudGtj6riBIjdLPEJE5OQgBNjWNkNq\n"
                                "q/mtPKW+pBRZfdHF1gPUufFh32P/3rzoVpTJYkNpvbxE68AaWzMrTA8d9Bffs1BC\n"
                                "rrlFqlqWCm5EtIsYD79ZVCtjY5EOPoOX+PbICFuBAoGAN5t72OOnv9ldTDDsOMR4\n"
                                "LBvgMYf2kb9FkebwvavUyl8wfxAv98ojOaxFVAJVVg9HjHu1+qaPAYR/salTrhOt\n"
                                "Lqu68YO4KIcdXnrM7Xqs7cxZdmDx604hClGy3tzoXMhHrhgagUFQ56UlkCvwf4Vz\n"
                                "TUJwJXsZKZeorSeW1uYS/PY=\n"
                                "-----END PRIVATE KEY-----\n";

static const char rsa3072_0[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIIG/QIBADANBgkqhkiG9w0BAQEFAASCBucwggbjAgEAAoIBgQDtAQjU6ICGMnun\n"
                                "ekBEvojflcJs6TcGyKJVI59zUKlSUXR/+xB3HH2xreEA57oKRLMDoBHeR2P9kgLa\n"
                                "YkgzzV2KKIQQxiRmQC9iThs8+g+IwHTnaqgatQD7veTs7oiOd714BOVARmd9Io8c\n"
                                "2o8wjNLNj4DyixPcjub0f2gEKXurZm6xzfuy/LJoj7UfiDBZa7c3tlLrnN39z0OM\n"
                                "6oXE63JQPIWJnGV0Yt2QoEiQiOdL1C5uJwlGcDYNIBmkhkUHA0IT3QvQPDAhJi/h\n"
                                "UKPAnTqZfyTo00NvLtzJ/FGPxkAiZnzwclF0pMMrFHAGi3cUvAJnbWYMcWgeKBlb\n"
                                "QtoECQUbP8RM+7SsfW+7SlBEpfjWG2k4+yHUkYloNARLk0KPYDgDNs7p8tCuOYL6\n"
                                "pZGzoz9IgNTnqjeqVIfCAdES/8GBWeft98xyYeQ1YtoEwToAfpNh55O/heujrFwl\n"
                                "Q0LkotdUApp9VwCrMLazsXtdCrYgZR8liuaYIVSYWXri+BovieUCAwEAAQKCAYAk\n"
                                "sIfO+e1HmRIWc7D2U265+iOem53moXGr73dUMTT9Jtn7pADBB7qXonzWGIlu5IK3\n"
                                "+XQ6rl+W1h818ogN6OllpW8Ib7wbziznsYK69lUoTO7sElFSzRmJXzTMzwJ516SP\n"
                                "q2ZYBG4p64svItCO6gYKR4BlS8130/GCASU3m7pm5tUVFne0FjWCRVj7OCiP90Jm\n"
                                "UAXXLrIZBBiHfJjXysEoFa5whrMYCOQW6xFAusjfrsm/SLDBZEah0onVs+mEs+af\n"
                                "CduGqvkhJiOWTqa19dzz2j/u7+NonZ8ps5dsZdhQOIwWuQHzGdq0A0YCZFFiZBx9\n"
                                "Ep0o/qTnkCT26tPUpzhs/5fUF8+cUrmfIuKnnJxem+FIHT0DnvjDOhPTUC0jzZ6S\n"
                                "pKZBm969DnfDOzp/SP++eytasPRjKlpViX4U8ihBGUgUbhZPP4yEMhOcKY1VQTEH\n"
                                "yfQVsNfBYXpih+/ond7T742l7vl9tymkoEFeypMkD1Z2wW3Q9g9HebuWzIIpP2MC\n"
                                "gcEA+eznpOAf4yNjkxzUeDW0kI0d35P4CyL8I8TR8TlYkHxm69kZj1kflcjXwESn\n"
                                "ZQmCS0y6uazOBk6NBZMfRGS/YGBNy2DwxTRjjYX0FV98S2f+qZytkItP8YPC6VSe\n"
                                "ZPBAdm0YJcF9ZKduBmaixa4/g1AE4SrxVn5Dk2l7sIZ9ngME7zjHYLdvyLMRmhpQ\n"
                                "6lj+x5+CmqsYGX6QpGBuew7dGPC3GKEligzVGz0raQztF6XCNl44BOQ6Cxmaclps\n"
                                "b3MDAoHBAPLDutWK7Q1KyA4a2pwMqYg6PJnMVmRpWHwPEoNBGYeFoEzDFoKGwH2j\n"
                                "29tH8JWuqwa9fE/O3JOXLCU+ne7jkSh4qymdMfDKJyTCO7KK5+bu6wiGJ6MW6AUB\n"
                                "gP+idrJY/t+b9OiMz5lTlalxeA6iONKA0Upg3fyQJOvYjFStiul+zPLoYg5m2Wm0\n"
                                "8qm65SE8a/C+CKZDavtUa3RP3MnSXfsrr84eGEbIoVH0z43zd32jqCA3oZU/cb42\n"
                                "rX50JXyG9wKBwH48CKygf7qsT0kpELA/ABrbDDG3fVuyqgQvD5N10aP5EcsiduSO\n"
                                "sYNoVIFKq/o+mU8LTG0oOU+6MUSVkP9sm7VEL0cAidwxn+8Fr8lz10YHGvv0pT4S\n"
                                "/6gPU02jbfWx2/11EPNRDdLfNpWJFcIfRvk+W5iXphp34A3/A3igFabQA5gI57uU\n"
                                "K6QFvmhFzoTvupB9ouwYay3FXa2I/4Ssd0R3oSORkXJvFNyTQu/mlYKSOMxZPpZJ\n"
                                "6H9eyUHlJkwMnQKBwQCKMaeaxhH5nhdSCDFn4cFkPhqfRnXrhRiMzpuwQg/BWO0O\n"
                                "pYOb3A+ZtfyC0GoBG0RaeuVYHR7tmYHU1ddb1Qmd60ssTkLOmpU71KHdGju290yu\n"
                                "Nog7y99acie33gkJr6WvLv10oCvRUYaBxYkdc3U7R39cgtX7XybVZxlDXuMT1k3e\n"
                                "/TBMmHmtNgdpXW3vxJCBo/wSgZBV8BGXTZsW/HzpbU4P3IvfR3ilyeGZIf5kdBRR\n"
                                "+rkt18btC/0pXf6067MCgcBQX6fvbU8SpFzd7vEbnvN+bmX6Kb5Ohxt5G7j1Ajmw\n"
                                "47ifN29hrYP2NnuXY7qtFfHximzLP2f/WKb7v5ZkjHx4FTHnULqB///bmU8h9ZI3\n"
                                "zHSbBKydXKKwJIGNU7J4AkLzJDG8SUDav8rWCDfE8YJlcgMmOqY9OvoCQsZ2XvcF\n"
                                "7hYBQIexLeQxoGOo+gzslRumGFSbAvRn06ljcGL2X417vCGY7GCeRl4UIeRi/xhO\n"
                                "V0lUL93hwq64eqh6edi72Yw=\n"
                                "-----END PRIVATE KEY-----\n";

static const struct {
    unsigned bits, slot;
    const char *pem;
} keys[] = {
    { 1024, 0, rsa1024_0 },
    { 2048, 0, rsa2048_0 },
    { 2048, 1, rsa2048_1 },
    { 3072, 0, rsa3072_0 },
};

EVP_PKEY *
test_rsa_key(unsigned bits, unsigned slot)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (keys[i].bits != bits || keys[i].slot != slot)
            continue;
        BIO *bio = BIO_new_mem_buf(keys[i].pem, -1);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
        CU_ASSERT_FATAL(k != NULL);
        CU_ASSERT_FATAL(EVP_PKEY_get_bits(k) == (int)bits);
        return k;
    }
    CU_FAIL_FATAL("no RSA test key of that size and slot");
    return NULL;
}
