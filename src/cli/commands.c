/*
 * The subcommand table and the shared error printers of the CLI.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>

#define DJ_VERSION "0.1.0"

const dj_cli_cmd dj_cli_cmds[] = {
    {"bank", dj_cmd_bank, "add, list or switch off banked images (counterfeit, allow-listed)"},
    {"demo", dj_cmd_demo, "generate a demo marketplace, screen it, show what was caught"},
    {"eval", dj_cmd_eval, "compare decisions with ground-truth labels"},
    {"gen", dj_cmd_gen, "write a synthetic marketplace with ground truth"},
    {"hash", dj_cmd_hash, "PDQ hashes of images (JPEG, PNG, WebP)"},
    {"import", dj_cmd_import, "screen and store a catalogue (JSONL) in batches"},
    {"kb", dj_cmd_kb, "check a knowledge base: validate, compile, report its cost"},
    {"scan", dj_cmd_scan, "screen listings (JSONL) against a knowledge base"},
    {"serve", dj_cmd_serve, "serve the HTTP API"},
    {"token", dj_cmd_token, "create, list or revoke API tokens"},
    {"version", dj_cmd_version, "print the version"},
    {NULL, NULL, NULL},
};

static void vreport(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "dajia %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int dj_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "(see `dajia %s --help`)\n", cmd);
    return 2;
}

int dj_cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return 1;
}

int dj_cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("dajia %s\n", DJ_VERSION);
    return 0;
}
