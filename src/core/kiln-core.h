/* kiln-core.h: everything libkiln-core offers to the window, kiln-cli and the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-chat-stream.h"
#include "kiln-code-extractor.h"
#include "kiln-comparison.h"
#include "kiln-conversion.h"
#include "kiln-diagnostic.h"
#include "kiln-draft-store.h"
#include "kiln-error.h"
#include "kiln-examples.h"
#include "kiln-format.h"
#include "kiln-key-store.h"
#include "kiln-model-registry.h"
#include "kiln-models.h"
#include "kiln-output-compare.h"
#include "kiln-prompt.h"
#include "kiln-run-config.h"
#include "kiln-run-result.h"
#include "kiln-session.h"
#include "kiln-toolchain.h"

G_BEGIN_DECLS

/* Binds the core's translations; call once at start-up. */
void kiln_core_init (void);

G_END_DECLS
