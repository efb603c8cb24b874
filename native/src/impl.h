/*
 * The instruction-set-independent half of the kernels, included once by each ISA file after it
 * has defined MR, NR (register tile), micro_kernel() and peak_probe(). One file per operation in
 * ops/, each defining the <member>_impl of the lrf_kernels table (contract.generated.h) that
 * LRF_TABLE lists. Elementwise kernels are plain C: compiled with -ffp-contract=off and no
 * -ffast-math, so the compiler vectorises them (at the ISA's width) without changing a single rounding.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#include "ops/gemm.h"
#include "ops/activation.h"
#include "ops/sum_rows.h"
#include "ops/adam.h"
#include "ops/sgd.h"
#include "ops/reductions.h"
#include "ops/im2col.h"
