/* kiln-comparison.c
 *
 * How the speedup is measured (docs/verification.md says the same for users):
 *
 * Both programs run with repeats (the C++ up to 3 times within 20 s, the original likewise),
 * and every run reports its wall time and its CPU time (user + system). A single-threaded
 * program's CPU time is what it costs; its wall time adds the time it waited for a core, which
 * on a busy machine can double it while the CPU time barely moves. So:
 *
 *  - When neither program uses more than one core (median CPU time at most 1.2 times the median
 *    wall time), the speedup shown is the ratio of median CPU times ("basis": cpu). It is the
 *    same figure on an idle machine and on one whose every core is busy.
 *  - When one does (CPU time above wall time: threads), the ratio of median wall times is the
 *    truth ("basis": wall), since the CPU time adds up every core.
 *  - "noisy" says the figures were taken on a busy machine: a single-threaded program that got
 *    well under one core (CPU time below 0.8 of the wall time, for runs of 0.2 s or more),
 *    or repeats that spread by more than 25 %.
 *  - The spread shown with the speedup pairs the slowest original run with the fastest C++ run
 *    and the other way round.
 *  - Start-up: when the C++ takes less than twice what an empty C++ program costs through the
 *    same sandbox (measured once per session), or less CPU time than that whole start-up,
 *    the speedup is only a lower bound.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-comparison.h"
#include "kiln-format.h"
#include "kiln-json-write.h"

G_DEFINE_ENUM_TYPE (KilnSpeedupBasis, kiln_speedup_basis,
                    G_DEFINE_ENUM_VALUE (KILN_SPEEDUP_BASIS_WALL, "wall"),
                    G_DEFINE_ENUM_VALUE (KILN_SPEEDUP_BASIS_CPU, "cpu"))

/* Above this CPU/wall ratio a program uses more than one core. */
#define THREADED_RATIO 1.2
/* Below this CPU/wall ratio a single-threaded program waited for a core. */
#define BUSY_RATIO 0.8
/* Runs shorter than this say little about CPU against wall: start-up reads files and sets
 * up the sandbox, which waits without using the CPU even on an idle machine. */
#define BUSY_MIN_WALL 0.2
/* Repeats whose slowest is this much above their fastest are noisy. */
#define SPREAD_RATIO 1.25

const char *
kiln_speedup_basis_to_string (KilnSpeedupBasis basis)
{
  return basis == KILN_SPEEDUP_BASIS_CPU ? "cpu" : "wall";
}

gboolean
kiln_speedup_basis_from_string (const char       *text,
                                KilnSpeedupBasis *basis)
{
  if (g_strcmp0 (text, "cpu") == 0)
    *basis = KILN_SPEEDUP_BASIS_CPU;
  else if (g_strcmp0 (text, "wall") == 0)
    *basis = KILN_SPEEDUP_BASIS_WALL;
  else
    return FALSE;
  return TRUE;
}

typedef struct
{
  double wall, wall_min, wall_max;
  double cpu, cpu_min, cpu_max;
} Figures;

static gboolean
get_figures (KilnRunResult *result,
             Figures       *figures)
{
  if (!kiln_run_result_get_wall (result, &figures->wall, &figures->wall_min, &figures->wall_max) ||
      !kiln_run_result_get_cpu (result, &figures->cpu, &figures->cpu_min, &figures->cpu_max))
    return FALSE;

  /* No run is shorter than the clocks can tell. */
  figures->wall = MAX (figures->wall, 1e-6);
  figures->wall_min = MAX (figures->wall_min, 1e-6);
  figures->wall_max = MAX (figures->wall_max, 1e-6);
  figures->cpu = MAX (figures->cpu, 1e-6);
  figures->cpu_min = MAX (figures->cpu_min, 1e-6);
  figures->cpu_max = MAX (figures->cpu_max, 1e-6);
  return TRUE;
}

static gboolean
threaded (const Figures *f)
{
  return f->cpu > f->wall * THREADED_RATIO;
}

static gboolean
waited (const Figures *f)
{
  return f->wall >= BUSY_MIN_WALL && f->cpu < f->wall * BUSY_RATIO;
}

static gboolean
spread (KilnRunResult *result,
        const Figures *f,
        gboolean       cpu)
{
  if (result->runs->len < 2)
    return FALSE;
  if (cpu)
    return f->cpu_max >= BUSY_MIN_WALL / 5 && f->cpu_max > f->cpu_min * SPREAD_RATIO;
  return f->wall_max >= BUSY_MIN_WALL / 5 && f->wall_max > f->wall_min * SPREAD_RATIO;
}

static void
measure (KilnComparison *self)
{
  Figures py, cpp;
  gboolean cpu;
  double floor;

  if (!get_figures (self->python, &py) || !get_figures (self->cpp, &cpp))
    return;

  self->speedup_wall = py.wall / cpp.wall;
  self->speedup_cpu = py.cpu / cpp.cpu;
  cpu = !threaded (&py) && !threaded (&cpp);
  self->basis = cpu ? KILN_SPEEDUP_BASIS_CPU : KILN_SPEEDUP_BASIS_WALL;
  if (cpu)
    {
      self->speedup = self->speedup_cpu;
      self->speedup_low = py.cpu_min / cpp.cpu_max;
      self->speedup_high = py.cpu_max / cpp.cpu_min;
    }
  else
    {
      self->speedup = self->speedup_wall;
      self->speedup_low = py.wall_min / cpp.wall_max;
      self->speedup_high = py.wall_max / cpp.wall_min;
    }

  self->busy = (!threaded (&py) && waited (&py)) || (!threaded (&cpp) && waited (&cpp));
  self->noisy = self->busy || spread (self->python, &py, cpu) || spread (self->cpp, &cpp, cpu);

  /* About as fast as a program starts: under twice the floor's wall time, or, for a CPU-time
   * speedup, less CPU time than an empty program's whole start-up takes. */
  floor = self->floor_seconds > 0 ? self->floor_seconds : KILN_SPEEDUP_LOWER_BOUND_SECONDS / 2;
  self->speedup_is_lower_bound = cpp.wall < 2 * floor || (cpu && cpp.cpu < floor);
}

KilnComparison *
kiln_comparison_new_full (KilnRunResult            *python,
                          KilnRunResult            *cpp,
                          KilnTimingMask           *mask,
                          const KilnCompareOptions *options)
{
  KilnComparison *self;

  g_return_val_if_fail (python != NULL, NULL);
  g_return_val_if_fail (cpp != NULL, NULL);

  self = g_new0 (KilnComparison, 1);
  self->python = kiln_run_result_ref (python);
  self->cpp = kiln_run_result_ref (cpp);
  self->comparable = python->ok && cpp->ok;
  self->tolerance = options != NULL ? MAX (options->tolerance, 0) : 0;
  self->floor_seconds = options != NULL ? options->startup_floor : 0;
  self->basis = KILN_SPEEDUP_BASIS_WALL;

  if (self->comparable)
    {
      gsize py_len, cpp_len;
      const char *py_out = g_bytes_get_data (python->stdout_bytes, &py_len);
      const char *cpp_out = g_bytes_get_data (cpp->stdout_bytes, &cpp_len);

      self->diff = kiln_output_compare_with_tolerance (py_out != NULL ? py_out : "", py_len,
                                                       cpp_out != NULL ? cpp_out : "", cpp_len,
                                                       mask, self->tolerance);
      self->within_tolerance = !self->diff->match && self->diff->within_tolerance;
    }

  /* The times are measured also for a wrong program: they are shown, without a speedup. */
  measure (self);

  return self;
}

KilnComparison *
kiln_comparison_new (KilnRunResult  *python,
                     KilnRunResult  *cpp,
                     KilnTimingMask *mask)
{
  return kiln_comparison_new_full (python, cpp, mask, NULL);
}

void
kiln_comparison_free (KilnComparison *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->python, kiln_run_result_unref);
  g_clear_pointer (&self->cpp, kiln_run_result_unref);
  g_clear_pointer (&self->diff, kiln_output_diff_free);
  g_free (self);
}

gboolean
kiln_comparison_matches (KilnComparison *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->comparable && self->diff != NULL && self->diff->match;
}

gboolean
kiln_comparison_agrees (KilnComparison *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return kiln_comparison_matches (self) || (self->comparable && self->within_tolerance);
}

char *
kiln_comparison_dup_speedup_text (KilnComparison *self)
{
  g_autofree char *speedup = NULL;
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->speedup <= 0)
    return NULL;

  speedup = kiln_format_speedup (self->speedup, self->speedup_is_lower_bound);
  if (self->speedup_is_lower_bound || self->speedup_low <= 0 ||
      self->speedup_high <= self->speedup_low * 1.001)
    return g_steal_pointer (&speedup);

  low = kiln_format_speedup (self->speedup_low, FALSE);
  high = kiln_format_speedup (self->speedup_high, FALSE);
  /* Translators: a speedup and its spread over the repeated runs, e.g. "×38 (×35–×41)" */
  return g_strdup_printf (_("%s (%s–%s)"), speedup, low, high);
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *value)
{
  if (value != NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);

      json_builder_add_string_value (builder, valid);
    }
  else
    json_builder_add_null_value (builder);
}

static void
add_positive (JsonBuilder *builder,
              const char  *name,
              double       value)
{
  kiln_json_builder_add_double (builder, name, value, value > 0);
}

void
kiln_comparison_add_json_members (KilnComparison *self,
                                  JsonBuilder    *builder,
                                  gboolean        verified)
{
  gboolean agrees = verified && kiln_comparison_agrees (self);

  json_builder_set_member_name (builder, "python");
  json_builder_add_value (builder, kiln_run_result_to_json (self->python));
  json_builder_set_member_name (builder, "cpp");
  json_builder_add_value (builder, kiln_run_result_to_json (self->cpp));
  json_builder_set_member_name (builder, "outputs_match");
  json_builder_add_boolean_value (builder, kiln_comparison_matches (self));
  json_builder_set_member_name (builder, "matches_within_tolerance");
  json_builder_add_boolean_value (builder, self->comparable && self->within_tolerance);
  kiln_json_builder_add_double (builder, "tolerance", self->tolerance, self->tolerance > 0);

  json_builder_set_member_name (builder, "first_difference");
  if (self->diff != NULL && !self->diff->match && !self->within_tolerance)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, self->diff->line);
      json_builder_set_member_name (builder, "column");
      json_builder_add_int_value (builder, self->diff->column);
      json_builder_set_member_name (builder, "python");
      add_nullable_string (builder, self->diff->reference);
      json_builder_set_member_name (builder, "cpp");
      add_nullable_string (builder, self->diff->candidate);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);

  /* A speedup only for a program whose output agreed. */
  add_positive (builder, "speedup", agrees ? self->speedup : 0);
  json_builder_set_member_name (builder, "speedup_is_lower_bound");
  json_builder_add_boolean_value (builder, agrees && self->speedup > 0 &&
                                           self->speedup_is_lower_bound);
  add_positive (builder, "speedup_cpu", agrees ? self->speedup_cpu : 0);
  add_positive (builder, "speedup_wall", agrees ? self->speedup_wall : 0);
  json_builder_set_member_name (builder, "speedup_range");
  if (agrees && self->speedup_low > 0)
    {
      json_builder_begin_array (builder);
      json_builder_add_double_value (builder, self->speedup_low);
      json_builder_add_double_value (builder, self->speedup_high);
      json_builder_end_array (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "noisy");
  json_builder_add_boolean_value (builder, self->noisy);
  json_builder_set_member_name (builder, "basis");
  json_builder_add_string_value (builder, kiln_speedup_basis_to_string (self->basis));
  add_positive (builder, "startup_floor_seconds", self->floor_seconds);
}

JsonNode *
kiln_comparison_to_json (KilnComparison *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  kiln_comparison_add_json_members (self, builder, TRUE);
  json_builder_set_member_name (builder, "verified");
  json_builder_add_boolean_value (builder, kiln_comparison_agrees (self));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
