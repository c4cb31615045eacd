/*
 * The subcommands of bin/dajia. Each lives in src/cli/cmd_<name>.c, takes the
 * arguments after its name (argv[0] is the subcommand) and returns the
 * process exit status: 0 when the job completed, 2 for usage errors, 1 when
 * it could not run. Subcommands use only room headers.
 */
#ifndef DJ_CLI_CLI_H
#define DJ_CLI_CLI_H

typedef int (*dj_cli_cmd_fn)(int argc, char **argv);

typedef struct dj_cli_cmd {
    const char *name;
    dj_cli_cmd_fn fn;
    const char *summary;  /* one line for `dajia --help` */
} dj_cli_cmd;

/* NULL-terminated table of every subcommand. */
extern const dj_cli_cmd dj_cli_cmds[];

/* Prints "dajia NAME: message" to stderr and returns 2 (a usage error). */
int dj_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "dajia NAME: message" to stderr and returns 1 (could not run). */
int dj_cli_fail(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The KB a command that works on a store starts with: the store's current
 * version; a KB file (path, may be NULL or "") that differs from it is
 * stored as a new version first (the store has one before the first use).
 * *out NULL when there is none at all. Returns an exit status. */
struct dj_store;
struct dj_kb;
int dj_cli_store_kb(const char *cmd, struct dj_store *st, const char *path, struct dj_kb **out);

int dj_cmd_version(int argc, char **argv);
int dj_cmd_import(int argc, char **argv);
int dj_cmd_scan(int argc, char **argv);
int dj_cmd_eval(int argc, char **argv);
int dj_cmd_kb(int argc, char **argv);
int dj_cmd_serve(int argc, char **argv);
int dj_cmd_token(int argc, char **argv);
int dj_cmd_bank(int argc, char **argv);
int dj_cmd_gen(int argc, char **argv);
int dj_cmd_demo(int argc, char **argv);
int dj_cmd_hash(int argc, char **argv);

#endif
