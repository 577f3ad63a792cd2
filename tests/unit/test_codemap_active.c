/* test_codemap_active.c - the operator's code map is the one in force when a caller
 * passes none: $PROCAUDIT_CODEMAP names it, and the mapper uses it (one process, one
 * load, so this binary sets the variable before the first use). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "json/json.h"
#include "model.h"
#include "ocds/codemap.h"
#include "ocds/map.h"

static char map_path[] = "/tmp/procaudit-codemap-XXXXXX";

static int setup(void **state)
{
    /* "Concurso de Ofertas" is in no built-in list; the operator maps it to selective. */
    static const char xml[] = "<?xml version='1.0' encoding='UTF-8'?>\n"
                              "<codemap xmlns='urn:procaudit:codemap:1'>\n"
                              "  <list name='procurementMethod'>\n"
                              "    <map from='Concurso de Ofertas' to='selective'/>\n"
                              "  </list>\n"
                              "</codemap>\n";
    int fd = mkstemp(map_path);
    (void)state;
    if (fd < 0 || write(fd, xml, sizeof xml - 1) != (ssize_t)(sizeof xml - 1))
        return -1;
    close(fd);
    return setenv("PROCAUDIT_CODEMAP", map_path, 1);
}

static int teardown(void **state)
{
    (void)state;
    unlink(map_path);
    return 0;
}

static void test_codemap_active_is_the_operators_file(void **state)
{
    err_t e;
    json_value *v = NULL;
    model_procurement *p = NULL;
    const char *js = "{\"ocid\":\"ocds-x\",\"tender\":{\"procurementMethod\":\"Concurso de Ofertas\"}}";
    (void)state;

    assert_true(codemap_active() != codemap_default());
    /* the file holds exactly one entry, and it replaces the built-in map */
    assert_int_equal(codemap_size(codemap_active()), 1);
    assert_int_equal(json_parse(&v, js, strlen(js), &e), 0);
    assert_int_equal(model_from_ocds(&p, v, NULL, &e), 0);
    assert_string_equal(p->procurement_method, "selective");
    assert_string_equal(p->procurement_method_raw, "Concurso de Ofertas");
    model_procurement_free(p);
    json_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codemap_active_is_the_operators_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
