/* cmd_criteria.c - procaudit criteria check FILE: validate a criteria set and print it
 * as the scorer understood it (dimensions, weights, criteria with indicator, parameters
 * with defaults, filters, validity window, bands). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "criteria.h"
#include "util/buf.h"
#include "util/err.h"

typedef struct {
    const char *name;
    int takes_value;
    const char *help;
} opt_def;

static const opt_def options[] = {
    {"--lang", 1, "LANG: print the texts in this language (default: the set's language)"},
    {"--xsd", 1,
     "PATH: validate against this schema (default: criteria-set.xsd beside the file, then the templates)"},
    {"--help", 0, "this help"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: procaudit criteria check [--lang LANG] [--xsd PATH] FILE|SET_ID\n\n"
               "Validates a criteria set (XSD, then meaning) and prints it as the scorer\n"
               "understood it. Errors are printed as file:line: message, all of them.\n"
               "A SET_ID (e.g. public-services) is looked up in the templates\n"
               "($PROCAUDIT_TEMPLATES, ../templates beside the executable, ./templates).\n\n"
               "options:\n");
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        fprintf(f, "  %-8s %s\n", options[i].name, options[i].help);
    fprintf(f, "\nexit codes: 0 valid, 1 invalid set, 2 usage, 3 file or memory failure\n");
}

static void print_list(const char *label, char *const *l, size_t n)
{
    if (!n)
        return;
    printf("      %s:", label);
    for (size_t i = 0; i < n; i++)
        printf(" %s", l[i]);
    printf("\n");
}

static void print_criterion(const criteria_set *s, const criterion_def *c, const char *lang)
{
    criterion_info ci;
    int have_info = criteria_info_fill(&ci, s, c, lang) == 0;
    printf("  - %s  indicator=%s  weight=%g  severity=%s%s\n", c->id, c->indicator_name, c->weight,
           c->sev == SEVERITY_HIGH     ? "high"
           : c->sev == SEVERITY_MEDIUM ? "medium"
                                       : "low",
           c->enabled ? "" : "  DISABLED");
    if (have_info) {
        printf("      title: %s\n", ci.title ? ci.title : "");
        if (c->indicator && c->indicator->red_flag)
            printf("      red flag: %s\n", c->indicator->red_flag);
    }
    /* Parameters as given, then the indicator's other parameters at their defaults. */
    printf("      parameters:");
    if (c->n_params == 0)
        printf(" (none given)");
    for (size_t i = 0; i < c->n_params; i++)
        printf(" %s=%s%s", c->params[i].name, c->params[i].value, i + 1 < c->n_params ? ";" : "");
    printf("\n");
    if (c->indicator && c->indicator->params) {
        int any = 0;
        for (const indicator_param_doc *d = c->indicator->params; d->name; d++) {
            /* Aliases (help "alias of X") are other names of a listed parameter. */
            if (criteria_param(c, d->name) || (d->help && strncmp(d->help, "alias of ", 9) == 0))
                continue;
            printf("%s %s=%s", any ? ";" : "      defaults:", d->name, d->def ? d->def : "(not set)");
            any = 1;
        }
        if (any)
            printf("\n");
    }
    const criteria_filters *f = &c->filters;
    print_list("procurement methods", f->methods, f->n_methods);
    print_list("main procurement categories", f->categories, f->n_categories);
    if (f->n_prefixes) {
        printf("      classification prefixes%s%s%s:", f->prefix_scheme ? " (" : "",
               f->prefix_scheme ? f->prefix_scheme : "", f->prefix_scheme ? ")" : "");
        for (size_t i = 0; i < f->n_prefixes; i++)
            printf(" %s", f->prefixes[i]);
        printf("\n");
    }
    if (f->has_value_range) {
        printf("      value range:");
        if (f->has_value_min)
            printf(" min %.2f", f->value_min);
        if (f->has_value_max)
            printf(" max %.2f", f->value_max);
        if (f->value_currency[0])
            printf(" %s", f->value_currency);
        printf("\n");
    }
    print_list("buyer kinds", f->buyer_kinds, f->n_buyer_kinds);
    print_list("procurement statuses", f->statuses, f->n_statuses);
    if (c->has_from || c->has_to)
        printf("      in force:%s%s%s%s\n", c->has_from ? " from " : "", c->from_text,
               c->has_to ? " to " : "", c->to_text);
    else
        printf("      in force: always\n");
    if (have_info) {
        if (ci.source)
            printf("      source: %s\n", ci.source);
        criterion_info_dispose(&ci);
    }
}

static void print_set(const criteria_set *s, const char *lang)
{
    const char *title = criteria_label_for(s->titles, s->n_titles, lang, s->language);
    printf("criteria set %s version %s (language %s)\n", s->id, s->version, s->language);
    printf("  title: %s\n", title ? title : "");
    printf("  file: %s\n  sha256: %s\n", s->path, s->sha256);
    printf("  criteria: %zu (%zu enabled)\n", s->n_criteria, criteria_enabled_count(s, DIM_COUNT));
    printf("bands (overall score):\n");
    for (size_t i = 0; i < s->n_bands; i++) {
        const criteria_band *b = &s->bands[i];
        const char *l = criteria_label_for(b->labels, b->n_labels, lang, s->language);
        printf("  %g <= score %s %g: %s\n", b->min, i + 1 == s->n_bands ? "<=" : "<", b->max, l ? l : "");
    }
    double wsum = 0;
    for (int d = 0; d < DIM_COUNT; d++)
        wsum += s->dims[d].weight;
    for (int d = 0; d < DIM_COUNT; d++) {
        const criteria_dimension *dm = &s->dims[d];
        const char *l = criteria_label_for(dm->labels, dm->n_labels, lang, s->language);
        printf("dimension %s (%s): weight %g (%.1f%% of the overall score), %zu criteria enabled\n",
               dimension_name((dimension)d), l ? l : dimension_name((dimension)d), dm->weight,
               wsum > 0 ? 100.0 * dm->weight / wsum : 0.0, criteria_enabled_count(s, (dimension)d));
        for (size_t i = 0; i < s->n_criteria; i++)
            if (s->criteria[i].dim == (dimension)d)
                print_criterion(s, &s->criteria[i], lang);
    }
}

int cmd_criteria(int argc, char **argv)
{
    const char *lang = NULL, *xsd = NULL, *file = NULL;
    int rc = 0;
    criteria_set *s = NULL;
    buf_t errors, path;
    err_t e;
    buf_init(&errors, 1u << 20);
    buf_init(&path, 4096);
    err_clear(&e);

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2)
            fprintf(stderr, "procaudit criteria: no action given (only 'check')\n");
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "procaudit criteria: unknown action '%s' (only 'check')\n", argv[1]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
            lang = argv[++i];
        } else if (strcmp(argv[i], "--xsd") == 0 && i + 1 < argc) {
            xsd = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "procaudit criteria: unknown option or missing value: %s\n", argv[i]);
            return CLI_EXIT_USAGE;
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "procaudit criteria check: one FILE only\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (!file) {
        fprintf(stderr, "procaudit criteria check: no FILE or SET_ID given\n");
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    rc = criteria_resolve(&path, file, &e);
    if (rc) {
        fprintf(stderr, "procaudit criteria: %s\n", e.msg);
        rc = rc == ERR_NOT_FOUND ? CLI_EXIT_INFRA : cli_exit_for(rc);
        goto cleanup;
    }
    rc = criteria_load_file(&s, buf_cstr(&path), xsd, &errors, &e);
    if (rc) {
        if (errors.len)
            fputs(buf_cstr(&errors), stderr);
        else
            fprintf(stderr, "%s\n", e.msg);
        fprintf(stderr, "procaudit criteria: %s is not a valid criteria set\n", buf_cstr(&path));
        rc = cli_exit_for(rc);
        goto cleanup;
    }
    print_set(s, lang ? lang : s->language);
    printf("ok: %s is valid\n", buf_cstr(&path));
    rc = CLI_EXIT_OK;
cleanup:
    criteria_set_free(s);
    buf_dispose(&errors);
    buf_dispose(&path);
    return rc;
}
