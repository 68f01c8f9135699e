/*
 * bench_load.c — how loading a scenario grows with its number of jobs: the
 * reader's checks must stay linear (issue 15: a duplicate-name scan made
 * 40,000 jobs take 12.6 s). Builds scenarios of 10,000 to 100,000 one-stage
 * jobs chained by 'after' in memory and prints the median load time and the
 * time per job. Prints figures; never a pass/fail test.
 * Usage: bench_load [runs]   (default 3)
 */
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/timing.h"
#include "models/diag.h"
#include "sim/input/scenario.h"

static char *many_jobs(size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fputs("name = \"many\";\ncluster = { worker = \"Standard_DS3_v2\"; workers = 2; };\n"
          "jobs = (\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s{ name = \"j%zu\";", i ? ",\n" : "", i);
        if (i > 0)
            fprintf(f, " after = \"j%zu\";", i - 1);
        fputs(" stages = ( { id = 0; tasks = 1; task_seconds = 1.0; } ); }", f);
    }
    fputs("\n);\n", f);
    fclose(f);
    return text;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 3;
    if (runs < 1)
        runs = 1;
    static const size_t sizes[] = {10000, 20000, 40000, 100000};
    printf("%8s %12s %14s\n", "jobs", "load s", "us per job");
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char *text = many_jobs(sizes[k]);
        config_t cfg;
        config_init(&cfg);
        if (!text || config_read_string(&cfg, text) != CONFIG_TRUE) {
            fprintf(stderr, "bench_load: cannot build %zu jobs\n", sizes[k]);
            return 1;
        }
        double t[16];
        int n = runs < 16 ? runs : 16;
        for (int r = 0; r < n; r++) {
            struct diag d;
            diag_clear(&d);
            double t0 = bench_now_s();
            struct scenario *s = scenario_from_config(&cfg, "many.cfg", &d);
            t[r] = bench_now_s() - t0;
            if (!s) {
                fprintf(stderr, "bench_load: %s\n", d.msg);
                return 1;
            }
            scenario_free(s);
        }
        double med = bench_median(t, (size_t)n);
        printf("%8zu %12.3f %14.2f\n", sizes[k], med, med / (double)sizes[k] * 1e6);
        config_destroy(&cfg);
        free(text);
    }
    return 0;
}
