# dajia — plain GNU Makefile (see ../shared/STYLE.md §5.8 for why not CMake).
#
#   make            build bin/dajia (release, build/)
#   make test       build with ASan+UBSan into build/san/ and run every test
#   make bench      release build + benchmarks (bench/run.sh)
#   make fuzz       libFuzzer targets with clang into build/fuzz/
#   make run        install missing Debian packages, build, run `dajia demo`
#   make headers    check that every header compiles on its own

PKGS      := libhs libutf8proc opencc libmicrohttpd jansson sqlite3 libpq libnats libsodium libjpeg libpng libwebp libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread

CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Wundef
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT      ?= -O2 -g
ifeq ($(WERROR),1)
WARN += -Werror
endif

ifeq ($(SAN),1)
BUILD    := build/san
OPT      := -O1 -g
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD    := build
SANFLAGS :=
endif

CFLAGS_ALL  = $(CSTD) $(OPT) $(WARN) $(SANFLAGS) -Isrc -Itests/unit $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

LIB_SRCS  := $(filter-out src/cli/main.c,$(shell find src -name '*.c' | sort))
ASM_SRCS  := $(shell find src -name '*.S' | sort)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(ASM_SRCS:%.S=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/src/cli/main.o
UNIT_SRCS := $(shell find tests/unit -name '*.c' 2>/dev/null | sort)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=build/bench/%)

ifeq ($(BUILD),build)
DAJIA := bin/dajia
else
DAJIA := $(BUILD)/dajia
endif

.PHONY: all test test-build replay-build bench fuzz run headers clean deps
all: $(DAJIA)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# Embedded data files (.incbin) are rebuilt when the data changes.
$(BUILD)/obj/src/http/openapi_blob.o: src/http/openapi.json
$(BUILD)/obj/src/text/words_blob.o: data/text/words_en.txt data/text/words_zh.txt
$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) -c $< -o $@

$(BUILD)/libdajia.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(DAJIA): $(MAIN_OBJ) $(BUILD)/libdajia.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lstdc++

$(BUILD)/unit: $(UNIT_OBJS) $(BUILD)/libdajia.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lstdc++

# Fuzz targets are compiled with their link: they depend on every header
# (a target that includes a private header sees its structs).
HEADERS := $(shell find src tests/fuzz -name '*.h')
$(BUILD)/replay/%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(BUILD)/libdajia.a $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_ALL) -o $@ $(filter %.c,$^) $(BUILD)/libdajia.a $(LDFLAGS_ALL) $(PKG_LIBS) -lstdc++

test-build: $(DAJIA) $(BUILD)/unit $(FUZZ_NAMES:%=$(BUILD)/replay/%)
replay-build: $(FUZZ_NAMES:%=$(BUILD)/replay/%)

# `make test` always runs the sanitizer build. The fuzz corpora are replayed
# twice: built by gcc like the rest, and by clang, whose UBSan checks what
# gcc's does not (a zero offset applied to a null pointer, found so).
test:
	@bash .ci/install-deps.sh
	@$(MAKE) --no-print-directory SAN=1 test-build
	@$(MAKE) --no-print-directory SAN=1 CC=clang BUILD=build/san-clang replay-build
	@DAJIA=build/san/dajia UNIT=build/san/unit REPLAY_DIRS="build/san/replay build/san-clang/replay" bash tests/run.sh

build/bench/%: bench/%.c build/libdajia.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -O2 -g $(WARN) -Isrc $(PKG_CFLAGS) -o $@ $< build/libdajia.a $(PKG_LIBS) -lstdc++

bench: bin/dajia $(BENCH_BINS)
	@bash bench/run.sh

FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fsanitize-coverage-ignorelist=tests/fuzz/coverage_ignore.txt $(CSTD) -Isrc $(PKG_CFLAGS)
FUZZ_OBJS := $(LIB_SRCS:%.c=build/fuzz/obj/%.o) $(ASM_SRCS:%.S=build/fuzz/obj/%.o)
fuzz: $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"
	@$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@
build/fuzz/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) -c $< -o $@
build/fuzz/obj/src/http/openapi_blob.o: src/http/openapi.json
build/fuzz/obj/src/text/words_blob.o: data/text/words_en.txt data/text/words_zh.txt
build/fuzz/libdajia.a: $(FUZZ_OBJS)
	@rm -f $@
	@ar rcs $@ $^
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libdajia.a $(HEADERS)
	@echo "  LD      $@"
	@$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(CSTD) -Isrc $(PKG_CFLAGS) -o $@ $< build/fuzz/libdajia.a $(PKG_LIBS) -lstdc++

run:
	@bash .ci/install-deps.sh
	@$(MAKE) --no-print-directory all
	./bin/dajia demo

headers:
	@set -e; for h in $$(find src -name '*.h'); do \
	  printf '#include "%s"\n' "$${h#src/}" | $(CC) $(CSTD) -Wall -Wextra -Isrc $(PKG_CFLAGS) -fsyntax-only -x c - || { echo "header $$h does not stand alone"; exit 1; }; \
	done; echo "headers: ok"

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
