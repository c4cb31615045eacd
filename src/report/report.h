/*
 * Reports over screening results. For now: evaluation of decisions against
 * ground-truth labels (the generator's labels.jsonl), the figures issue 2
 * asks for (block precision, counterfeit caught, strong counterfeits
 * blocked, legitimate allowed) with a breakdown per scenario.
 */
#ifndef DJ_REPORT_REPORT_H
#define DJ_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

typedef struct dj_eval dj_eval;

dj_eval *dj_eval_new(void);
void dj_eval_free(dj_eval *e);

/* Adds one label line ({"id","label","strong","scenario","brand"}). */
dj_rc dj_eval_add_label(dj_eval *e, const char *line, size_t len, dj_err *err);
/* Adds one decision line ({"id","decision","brand",...} or an error line). */
dj_rc dj_eval_add_decision(dj_eval *e, const char *line, size_t len, dj_err *err);

typedef struct dj_eval_figures {
    uint64_t n_counterfeit, n_strong, n_legit, n_unlabelled, n_errors;
    uint64_t blocked, blocked_counterfeit;     /* block precision = ratio */
    uint64_t caught;                           /* counterfeit blocked or held */
    uint64_t strong_blocked;
    uint64_t legit_allowed;
    uint64_t brand_right;                      /* counterfeit caught with the labelled brand */
    double block_precision, caught_rate, strong_blocked_rate, legit_allowed_rate;
} dj_eval_figures;

void dj_eval_figures_get(const dj_eval *e, dj_eval_figures *f);

/* Writes a readable report: the four figures against the bars and
 * a table per scenario (count, allow/review/block). */
void dj_eval_print(const dj_eval *e, FILE *f);
/* Writes the figures as one JSON object line. */
void dj_eval_print_json(const dj_eval *e, FILE *f);

#endif
