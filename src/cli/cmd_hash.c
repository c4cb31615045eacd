/*
 * dajia hash FILE... [--dihedral]
 *
 * Prints "HASH_HEX QUALITY FILE" for each image (PDQ, bit-identical to
 * Meta's reference). With --dihedral, eight lines per image, the
 * transform's name appended: orig rot90 rot180 rot270 flipx flipy flipp
 * flipm. A file that cannot be read or decoded gets a message on stderr;
 * the others are still hashed, and the exit status is 1.
 */
#include "cli/cli.h"
#include "image/image.h"

#include <stdio.h>
#include <string.h>

int dj_cmd_hash(int argc, char **argv)
{
    int dihedral = 0, n_files = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dajia hash FILE... [--dihedral]\n\n"
                   "Prints \"HASH QUALITY FILE\" per JPEG, PNG or WebP image (PDQ: 64 hex digits,\n"
                   "quality 0-100; below %d the hash is too flat to trust). --dihedral adds the\n"
                   "hashes of the 7 rotations and flips, one line each, named at the end.\n",
                   DJ_PDQ_MIN_QUALITY);
            return 0;
        }
        if (!strcmp(argv[i], "--dihedral"))
            dihedral = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return dj_cli_usage_error("hash", "unknown option '%s'", argv[i]);
        else
            n_files++;
    }
    if (!n_files)
        return dj_cli_usage_error("hash", "no image files given");
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            continue;
        dj_image *img = NULL;
        dj_err err = {0};
        dj_pdq h, d[DJ_PDQ_N_DIHEDRAL];
        int q;
        if (dj_image_load(argv[i], &img, &err) || dj_pdq_hash(img, &h, &q, dihedral ? d : NULL, &err)) {
            fprintf(stderr, "dajia hash: %s\n", err.msg);
            failed = 1;
            dj_image_free(img);
            continue;
        }
        char hex[65];
        if (!dihedral) {
            dj_pdq_to_hex(&h, hex);
            printf("%s %d %s\n", hex, q, argv[i]);
        } else {
            for (int k = 0; k < DJ_PDQ_N_DIHEDRAL; k++) {
                dj_pdq_to_hex(&d[k], hex);
                printf("%s %d %s %s\n", hex, q, argv[i], dj_pdq_dihedral_name(k));
            }
        }
        dj_image_free(img);
    }
    return failed;
}
