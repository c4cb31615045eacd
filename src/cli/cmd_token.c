/*
 * dajia token create --role ROLE [--brand ID | --seller ID] [--name NAME] [--db URL]
 * dajia token list [--db URL]
 * dajia token revoke ID [--db URL]
 *
 * Bootstraps API tokens (the first admin token cannot come from the API).
 * The token is printed once; the store keeps only its hash.
 */
#include "cli/cli.h"
#include "store/store.h"
#include "util/config.h"

#include <stdio.h>
#include <string.h>

int dj_cmd_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: dajia token create --role admin|reviewer|brand|seller|integration [--brand ID | --seller ID]\n"
               "                          [--name NAME] [--db sqlite:PATH | postgresql://...]\n"
               "       dajia token list [--db URL]\n"
               "       dajia token revoke ID [--db URL]\n\n"
               "Creates, lists or revokes API tokens. A new token is printed once; only its\n"
               "hash is stored.\n");
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    dj_config cfg;
    dj_err err = {0};
    int rest;
    if (dj_config_load(&cfg, argc - 1, argv + 1, &rest, &err))
        return dj_cli_usage_error("token", "%s", err.msg);
    char **args = argv + 1;
    const char *role = NULL, *brand = NULL, *seller = NULL, *name = NULL, *id = NULL;
    for (int i = 1; i <= rest; i++) {
        if (!strcmp(args[i], "--role") && i < rest)
            role = args[++i];
        else if (!strcmp(args[i], "--brand") && i < rest)
            brand = args[++i];
        else if (!strcmp(args[i], "--seller") && i < rest)
            seller = args[++i];
        else if (!strcmp(args[i], "--name") && i < rest)
            name = args[++i];
        else if (args[i][0] != '-' && !id)
            id = args[i];
        else
            return dj_cli_usage_error("token", "unknown or incomplete option '%s'", args[i]);
    }
    if (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke"))
        return dj_cli_usage_error("token", "unknown subcommand '%s' (create, list, revoke)", sub);
    if (!strcmp(sub, "create") && !role)
        return dj_cli_usage_error("token", "create needs --role");
    if (brand && seller)
        return dj_cli_usage_error("token", "--brand and --seller exclude each other");
    if (!strcmp(sub, "revoke") && !id)
        return dj_cli_usage_error("token", "revoke needs a token id");
    dj_store *st = NULL;
    if (dj_store_open(cfg.db, 1, &st, &err))
        return dj_cli_fail("token", "db %s: %s", cfg.db, err.msg);
    int rc = 0;
    if (!strcmp(sub, "create")) {
        char token[128];
        dj_store_principal p;
        if (dj_store_token_create(st, role, brand ? brand : seller, name, token, &p, &err))
            rc = dj_cli_fail("token", "%s", err.msg);
        else
            printf("%s\n", token);
        if (!rc)
            fprintf(stderr, "token %s: role %s%s%s (shown once; store it now)\n", p.id, p.role, p.scope[0] ? ", scope " : "",
                    p.scope);
    } else if (!strcmp(sub, "list")) {
        dj_buf b;
        dj_buf_init(&b, 1 << 24);
        if (dj_store_tokens_list(st, &b, &err))
            rc = dj_cli_fail("token", "%s", err.msg);
        else
            printf("%s\n", b.data);
        dj_buf_fini(&b);
    } else if (dj_store_token_revoke(st, id, "cli", &err)) {
        rc = dj_cli_fail("token", "%s", err.msg);
    }
    dj_store_close(st);
    return rc;
}
