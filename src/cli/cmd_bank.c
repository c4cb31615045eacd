/*
 * dajia bank add --kind counterfeit|allow (--hash HEX | --image FILE) [--brand
 * ID]
 *                [--listing ID] [--note TEXT] [--by NAME] [--db URL]
 * dajia bank list [--kind K] [--state S] [--brand ID] [--limit N] [--db URL]
 * dajia bank disable|enable ID [--note TEXT] [--by NAME] [--db URL]
 *
 * The image banks from the command line, for bulk work and scripts: the
 * same store calls as /v1/images/bank, so entries carry the same
 * provenance, and running servers pick the change up within a poll.
 */
#include "cli/cli.h"
#include "image/image.h"
#include "store/store.h"
#include "util/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(int status)
{
    printf("usage: dajia bank add --kind counterfeit|allow (--hash HEX | --image "
           "FILE) [--brand ID]\n"
           "                      [--listing ID] [--note TEXT] [--by NAME] [--db "
           "URL]\n"
           "       dajia bank list [--kind K] [--state "
           "active|disabled|quarantined] [--brand ID] [--limit N] [--db URL]\n"
           "       dajia bank disable|enable ID [--note TEXT] [--by NAME] [--db "
           "URL]\n\n"
           "Photos of known counterfeits, and allow-listed photos (stock images "
           "everybody may\n"
           "use), that screening compares listing images with (PDQ, distance <= "
           "31).\n"
           "--image hashes the file (JPEG, PNG, WebP); --listing records where "
           "the photo was\n"
           "seen and that listing's decision. Running servers pick changes up by "
           "themselves.\n");
    return status;
}

int dj_cmd_bank(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return usage(argc < 2 ? 2 : 0);
    const char *sub = argv[1];
    dj_config cfg;
    dj_err err = {0};
    int rest;
    if (dj_config_load(&cfg, argc - 1, argv + 1, &rest, &err))
        return dj_cli_usage_error("bank", "%s", err.msg);
    char **args = argv + 1;
    const char *kind = NULL, *hash = NULL, *image = NULL, *brand = NULL, *listing = NULL, *note = NULL, *by = "cli",
               *state = NULL, *id = NULL;
    long limit = 100;
    for (int i = 1; i <= rest; i++) {
        const char *a = args[i];
        const char **dst = !strcmp(a, "--kind")      ? &kind
                           : !strcmp(a, "--hash")    ? &hash
                           : !strcmp(a, "--image")   ? &image
                           : !strcmp(a, "--brand")   ? &brand
                           : !strcmp(a, "--listing") ? &listing
                           : !strcmp(a, "--note")    ? &note
                           : !strcmp(a, "--by")      ? &by
                           : !strcmp(a, "--state")   ? &state
                                                     : NULL;
        if (dst && i < rest) {
            *dst = args[++i];
        } else if (!strcmp(a, "--limit") && i < rest) {
            char *end;
            limit = strtol(args[++i], &end, 10);
            if (*end || limit < 1 || limit > 500)
                return dj_cli_usage_error("bank", "--limit: expected 1 to 500");
        } else if (a[0] != '-' && !id) {
            id = a;
        } else {
            return dj_cli_usage_error("bank", "unknown or incomplete option '%s'", a);
        }
    }
    int is_add = !strcmp(sub, "add"), is_list = !strcmp(sub, "list");
    int is_state = !strcmp(sub, "disable") || !strcmp(sub, "enable");
    if (!is_add && !is_list && !is_state)
        return dj_cli_usage_error("bank", "unknown subcommand '%s' (add, list, disable, enable)", sub);
    if (is_add && (!kind || (!hash == !image)))
        return dj_cli_usage_error("bank", "add needs --kind and one of --hash or --image");
    long long entry = 0;
    if (is_state) {
        char *end;
        entry = id ? strtoll(id, &end, 10) : 0;
        if (!id || *end || entry <= 0)
            return dj_cli_usage_error("bank", "%s needs an entry id", sub);
    }
    char hex[65];
    int quality = -1;
    if (image) {
        dj_image *img = NULL;
        dj_pdq h;
        if (dj_image_load(image, &img, &err) || dj_pdq_hash(img, &h, &quality, NULL, &err)) {
            dj_image_free(img);
            return dj_cli_fail("bank", "%s: %s", image, err.msg);
        }
        dj_image_free(img);
        dj_pdq_to_hex(&h, hex);
        hash = hex;
        if (quality < DJ_PDQ_MIN_QUALITY)
            fprintf(stderr,
                    "dajia bank: warning: %s has quality %d (< %d): too flat to "
                    "match reliably\n",
                    image, quality, DJ_PDQ_MIN_QUALITY);
    }
    dj_store *st = NULL;
    if (dj_store_open(cfg.db, 1, &st, &err))
        return dj_cli_fail("bank", "db %s: %s", cfg.db, err.msg);
    dj_buf b;
    dj_buf_init(&b, 1 << 26);
    dj_rc rc;
    if (is_add) {
        dj_store_bank_entry e = {kind, hash, quality, brand, listing, note};
        rc = dj_store_bank_add(st, &e, NULL, by, &b, NULL, &err);
    } else if (is_list) {
        rc = dj_store_bank_list(st, kind, state, brand, NULL, (int)limit, &b, &err);
    } else {
        rc = dj_store_bank_set_state(st, entry, !strcmp(sub, "enable") ? "active" : "disabled", note, NULL, by, &b,
                                     &err);
    }
    int status = rc ? dj_cli_fail("bank", "%s", err.msg) : 0;
    if (!rc)
        printf("%s\n", b.data);
    dj_buf_fini(&b);
    dj_store_close(st);
    return status;
}
