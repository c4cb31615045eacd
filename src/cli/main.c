/*
 * bin/dajia: dispatches to the subcommand named by argv[1].
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: dajia COMMAND [ARGS...]\n\ncommands:\n");
    for (const dj_cli_cmd *c = dj_cli_cmds; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\n`dajia COMMAND --help` describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version"))
        return dj_cmd_version(argc - 1, argv + 1);
    for (const dj_cli_cmd *c = dj_cli_cmds; c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "dajia: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
