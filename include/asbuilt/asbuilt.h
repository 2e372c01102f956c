/*
 * asbuilt/asbuilt.h: the whole public API. asbuilt reads event logs (XES,
 * CSV, gzip), reconstructs how work actually flows, and measures the gap to
 * the documented BPMN process. Include this, or the module headers you use.
 */
#ifndef ASBUILT_ASBUILT_H
#define ASBUILT_ASBUILT_H

#include "bpmn.h"
#include "conform.h"
#include "core.h"
#include "csv.h"
#include "discover.h"
#include "gap.h"
#include "ingest.h"
#include "input.h"
#include "log.h"
#include "net.h"
#include "partial.h"
#include "report.h"
#include "time.h"
#include "types.h"
#include "xes.h"

#endif
