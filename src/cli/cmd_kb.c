/*
 * dajia kb check KB.json
 *
 * Validates and compiles a knowledge base and prints what it holds and what
 * compiling cost (time, database size, peak resident memory), so a KB can be
 * checked before it is deployed. Exit 1 with the first error otherwise.
 */
#include "cli/cli.h"
#include "kb/kb.h"

#include <stdio.h>
#include <string.h>

/* Peak resident memory of this process in KiB (VmHWM), or 0. */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kib = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            sscanf(line + 6, "%ld", &kib);
    fclose(f);
    return kib;
}

int dj_cmd_kb(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: dajia kb check KB.json [--json]\n\n"
               "Validates and compiles a knowledge base; prints its size and compile cost.\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "check") != 0)
        return dj_cli_usage_error("kb", "unknown subcommand '%s' (expected: check)", argv[1]);
    if (argc < 3)
        return dj_cli_usage_error("kb", "check needs a KB file");
    int json = argc > 3 && !strcmp(argv[3], "--json");
    dj_err err = {0};
    dj_kb *kb = NULL;
    if (dj_kb_load_file(argv[2], &kb, &err))
        return dj_cli_fail("kb", "%s", err.msg);
    dj_kb_stats st;
    dj_kb_get_stats(kb, &st);
    long rss = peak_rss_kib();
    if (json)
        printf("{\"brands\":%zu,\"signals\":%zu,\"patterns\":%zu,\"lookalike_patterns\":%zu,"
               "\"load_ms\":%.1f,\"compile_ms\":%.1f,\"db_bytes\":%zu,\"peak_rss_kib\":%ld}\n",
               st.n_brands, st.n_signals, st.n_patterns, st.n_leet_patterns, st.load_ms, st.compile_ms,
               st.db_bytes, rss);
    else
        printf("ok: %s\n  %zu brands, %zu signals, %zu patterns (%zu with lookalike digits)\n"
               "  loaded in %.1f ms, compiled in %.1f ms, database %.1f MiB, peak resident memory %.1f MiB\n",
               argv[2], st.n_brands, st.n_signals, st.n_patterns, st.n_leet_patterns, st.load_ms, st.compile_ms,
               st.db_bytes / 1048576.0, rss / 1024.0);
    dj_kb_unref(kb);
    return 0;
}
