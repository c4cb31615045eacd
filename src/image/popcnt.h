/*
 * Private to src/image. Hamming distances want the popcnt instruction,
 * which the x86-64 baseline lacks: with GCC, a clone per target, picked
 * when the program loads. Clang (Debian 12's 14, which builds the fuzzers)
 * accepts the attribute but emits no definition, so it is left out there.
 */
#ifndef DJ_IMAGE_POPCNT_H
#define DJ_IMAGE_POPCNT_H

#if defined(__clang__) || !defined(__x86_64__)
#define DJ_POPCNT_CLONES
#else
#define DJ_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#endif

#endif
