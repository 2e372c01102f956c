/*
 * tools/asbuilt.c: the `asbuilt` command: dispatches git-style subcommands
 * (stats, sniff, discover, model, diff), prints the overall help and the
 * version, and removes the temporary files of unfinished outputs when the
 * process is interrupted or asked to terminate. Exit codes: 0 ok, 1 gate
 * exceeded, 2 usage, 3 bad data, 4 I/O.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifdef AB_HAVE_CMD_PARTIAL
int cmd_partial(int argc, char **argv);
#endif

typedef struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} command;

static const command commands[] = {
#ifdef AB_HAVE_CMD_STATS
    {"stats", cmd_stats, "cases, events, activities, variants, time span and data quality"},
#endif
#ifdef AB_HAVE_CMD_SNIFF
    {"sniff", cmd_sniff, "guess a CSV file's dialect and columns, printed as re-runnable flags"},
#endif
#ifdef AB_HAVE_CMD_DISCOVER
    {"discover", cmd_discover, "the as-is process: directly-follows graph and variants"},
#endif
#ifdef AB_HAVE_CMD_MODEL
    {"model", cmd_model, "what asbuilt understood of a documented BPMN map"},
#endif
#ifdef AB_HAVE_CMD_DIFF
    {"diff", cmd_diff, "the Work Reality Gap between a log and its documented map"},
#endif
#ifdef AB_HAVE_CMD_PARTIAL
    {"partial", cmd_partial, "a mergeable partial of logs, for reports over split input"},
#endif
};

static void usage(FILE *f)
{
    fprintf(f, "usage: asbuilt <command> [options] [files...]\n\n"
               "asbuilt reconstructs how work really flows from the event logs that systems of\n"
               "record keep, and measures the gap to the documented process.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\nRun 'asbuilt help <command>' (or 'asbuilt <command> --help') for its options\n"
               "and an example. '--' ends the options: what follows are files.\n"
               "Exit codes: 0 success, 1 a --fail-above gate was exceeded, 2 usage error,\n"
               "3 bad input data, 4 I/O or internal error.\n");
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 && argc > 2) {
        /* asbuilt help CMD: the command's own help. */
        const command *c = find_command(argv[2]);
        if (c == NULL) {
            fprintf(stderr, "asbuilt: unknown command '%s'\n\n", argv[2]);
            usage(stderr);
            return EXIT_USAGE;
        }
        char *hargv[] = {argv[2], "--help", NULL};
        return c->fn(2, hargv);
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("asbuilt %s\n", ab_version());
        return EXIT_OK;
    }
    const command *c = find_command(name);
    if (c != NULL) {
        cli_catch_signals();
        return c->fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "asbuilt: unknown command '%s'\n\n", name);
    usage(stderr);
    return EXIT_USAGE;
}
