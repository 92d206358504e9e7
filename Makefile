# ptool — plain GNU make.
#
#   make                      build ./ptool
#   make check                C unit tests, then the bats suite
#   make SANITIZE=address,undefined check   (or SANITIZE=thread)
#   make deps                 install build and test dependencies (apt-get)
#   make install PREFIX=/usr/local DESTDIR=
#   make bench                benchmarks against the anchor tools, kept in bench/results.txt
#   make bench-plot           bench.svg, the README's chart, from bench/results.txt
#   make fuzz [FUZZ_TIME=60]  libFuzzer on the checksum-list parser, the decoders and the
#                             option parser, FUZZ_TIME seconds each (clang)
#   make soak                 hash, check and compress over 200,000 files in both modes: output,
#                             peak RSS, descriptors, threads, processes (SOAK_FILES=200000)
#   make memcheck             valgrind memcheck on a representative subset of the commands

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config

# The project's own flags stay apart from CFLAGS, so `make CFLAGS=-O0`
# keeps the warnings.
PT_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wundef -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -pthread -MMD -MP
PT_LDLIBS := -pthread

XXH_CFLAGS := $(shell $(PKG_CONFIG) --cflags libxxhash 2>/dev/null)
XXH_LIBS := $(shell $(PKG_CONFIG) --libs libxxhash 2>/dev/null || echo -lxxhash)

# The codecs: libarchive's writers and bidders, libzstd and libdeflate
# for compression, and the libraries the decoders use directly.  bzip2
# has no .pc file.  libarchive is not linked: its headers are used, and
# the library is opened with dlopen when a codec first needs it (larch.c),
# so that its dependencies do not weigh on every start.
CODEC_PKGS := libzstd libdeflate zlib liblzma liblz4
CODEC_CFLAGS := $(shell $(PKG_CONFIG) --cflags libarchive $(CODEC_PKGS) 2>/dev/null)
CODEC_LIBS := $(shell $(PKG_CONFIG) --libs $(CODEC_PKGS) 2>/dev/null || \
	echo -lzstd -ldeflate -lz -llzma -llz4) -lbz2 -ldl
# The unit tests call libarchive themselves, to make data of formats
# ptool does not write.
ARCHIVE_LIBS := $(shell $(PKG_CONFIG) --libs libarchive 2>/dev/null || echo -larchive)

# io_uring through liburing when its headers are there; without them the
# I/O threads are the only engine (PTOOL_WITH_LIBURING=0).
URING_LIBS := $(shell $(PKG_CONFIG) --libs liburing 2>/dev/null)
ifneq ($(URING_LIBS),)
PT_CFLAGS += -DPTOOL_WITH_LIBURING=1 $(shell $(PKG_CONFIG) --cflags liburing)
PT_LDLIBS += $(URING_LIBS)
else
PT_CFLAGS += -DPTOOL_WITH_LIBURING=0
endif

comma := ,
ifdef SANITIZE
OBJDIR := obj/san-$(subst $(comma),-,$(SANITIZE))
PT_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
PT_LDFLAGS += -fsanitize=$(SANITIZE)
else
OBJDIR := obj/default
endif

VERSION := 0.1.0
PT_CFLAGS += -DPTOOL_VERSION='"$(VERSION)"'

LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(OBJDIR)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.c=$(OBJDIR)/unit/%.o)

# The binary lands at ./ptool for the default build and beside its objects
# for sanitizer builds, so both can live side by side.
ifdef SANITIZE
BIN := $(OBJDIR)/ptool
else
BIN := ptool
endif

all: $(BIN)

$(BIN): $(OBJDIR)/main.o $(OBJDIR)/mantext.o $(OBJDIR)/libptool.a
	$(CC) $(PT_LDFLAGS) $(LDFLAGS) -o $@ $^ $(XXH_LIBS) $(CODEC_LIBS) $(PT_LDLIBS) $(LDLIBS)

$(OBJDIR)/libptool.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(OBJDIR)/%.o: src/%.c | $(OBJDIR)
	$(CC) $(PT_CFLAGS) $(XXH_CFLAGS) $(CODEC_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The man pages as text, for `ptool help` where man(1) is missing.
$(OBJDIR)/mantext.c: man/mantext.sh $(wildcard man/*.1) | $(OBJDIR)
	sh man/mantext.sh $(sort $(wildcard man/*.1)) >$@.tmp && mv $@.tmp $@

$(OBJDIR)/mantext.o: $(OBJDIR)/mantext.c src/mantext.h
	$(CC) $(PT_CFLAGS) -Isrc $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(OBJDIR)/unit/%.o: tests/unit/%.c | $(OBJDIR)/unit
	$(CC) $(PT_CFLAGS) -Isrc $(CODEC_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(OBJDIR)/unit-tests: $(UNIT_OBJ) $(OBJDIR)/libptool.a
	$(CC) $(PT_LDFLAGS) $(LDFLAGS) -o $@ $^ $(XXH_LIBS) $(CODEC_LIBS) $(ARCHIVE_LIBS) $(PT_LDLIBS) $(LDLIBS)

$(OBJDIR) $(OBJDIR)/unit:
	mkdir -p $@

# check: the unit tests, then the bats suite against this build's binary.
# PTOOL_TEST_ARGS (e.g. -j1) is inserted after the command in every test.
check: check-build
	./tests/run-all $(OBJDIR)/unit-tests $(abspath $(BIN))

# check-build: what check runs, built and nothing more (CI builds first,
# then runs configurations side by side).
check-build: $(BIN) $(OBJDIR)/unit-tests

unit: $(OBJDIR)/unit-tests
	$(OBJDIR)/unit-tests

# Debian packages for building and testing; a no-op when all are present.
DEB_PKGS := build-essential pkg-config libarchive-dev libxxhash-dev liburing-dev \
	xxhash bats bats-support bats-assert bats-file jq mandoc bsdextrautils bsdutils libcap2-bin \
	time coreutils procps zsh fish \
	clang libclang-rt-dev valgrind \
	libzstd-dev libdeflate-dev zlib1g-dev liblzma-dev libbz2-dev liblz4-dev zstd xz-utils bzip2 lz4 gzip pigz pbzip2 strace
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all present"; exit 0; fi; \
	sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	echo "deps: installing $$missing"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

# fuzz: the checksum-list parser, the decoders and the option parser under
# libFuzzer, ASan and UBSan, for FUZZ_TIME seconds each from their seeds;
# finds stay in obj/fuzz.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
obj/fuzz/fuzz-sumline: tests/fuzz/fuzz_sumline.c src/sumline.c src/hash.c src/sumline.h src/hash.h
	mkdir -p obj/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -std=c11 -D_GNU_SOURCE -Isrc $(XXH_CFLAGS) $(CODEC_CFLAGS) -o $@ \
		tests/fuzz/fuzz_sumline.c src/sumline.c src/hash.c $(XXH_LIBS) $(CODEC_LIBS)

obj/fuzz/fuzz-codec: tests/fuzz/fuzz_codec.c src/codec.c src/codec.h src/larch.c src/larch.h
	mkdir -p obj/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -std=c11 -D_GNU_SOURCE -Isrc $(CODEC_CFLAGS) -o $@ \
		tests/fuzz/fuzz_codec.c src/codec.c src/larch.c $(CODEC_LIBS)

# The decoders' seeds: a short text in each format, made by the tools (two
# bytes of feeding settings first, as the target reads them).
obj/fuzz/seeds-codec: tests/fuzz/fuzz_codec.c
	mkdir -p $@
	for t in 'gzip -c' 'zstd -qc' 'xz -c' 'bzip2 -c' 'lz4 -qc'; do \
		{ printf '\003\005'; seq 1 300 | $$t; } >$@/$${t%% *}; \
	done

# The option parser over the commands' real tables, linked alone: the
# front ends are built without coverage, each function and table in a
# section of its own, and --gc-sections keeps only the tables and the
# value lists they point to, so no more of ptool comes in.  ASan still
# puts its red zones around the tables.
FUZZ_TABLES := $(patsubst %,obj/fuzz/tables/%.o,cmd_hash cmd_check cmd_compress cmd_bench job)
FUZZ_WARN := $(filter -W%,$(PT_CFLAGS))

obj/fuzz/tables/%.o: src/%.c
	mkdir -p obj/fuzz/tables
	$(FUZZ_CC) $(PT_CFLAGS) $(XXH_CFLAGS) $(CODEC_CFLAGS) -g -O1 -fsanitize=address,undefined \
		-ffunction-sections -fdata-sections -c -o $@ $<

obj/fuzz/fuzz-opt: tests/fuzz/fuzz_opt.c src/opt.c src/opt.h src/cmd.h src/diag.h src/format.c \
		src/format.h $(FUZZ_TABLES)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_WARN) -std=c11 -D_GNU_SOURCE -Isrc -Wl,--gc-sections -o $@ \
		tests/fuzz/fuzz_opt.c src/opt.c src/format.c $(FUZZ_TABLES)

# The option parser's seeds, one a line of tests/fuzz/seeds-opt.txt
# ("COMMAND ARG..."), written as the target reads them: the table's
# number, then the arguments, each ended by NUL but the last.
obj/fuzz/seeds-opt: tests/fuzz/seeds-opt.txt
	rm -rf $@ $@.tmp && mkdir -p $@.tmp
	n=0; grep -v -e '^#' -e '^$$' tests/fuzz/seeds-opt.txt | while read -r cmd args; do \
		case $$cmd in \
		hash) c=0;; check) c=1;; compress) c=2;; decompress) c=3;; bench) c=4;; \
		*) echo "seeds-opt: unknown command '$$cmd'" >&2; exit 1;; \
		esac; \
		n=$$((n + 1)); \
		{ printf "\\$$c"; printf '%s' "$$args" | tr ' ' '\000'; } >$@.tmp/$$n; \
	done
	mv $@.tmp $@

fuzz: obj/fuzz/fuzz-sumline obj/fuzz/fuzz-codec obj/fuzz/fuzz-opt obj/fuzz/seeds-codec \
		obj/fuzz/seeds-opt
	./tests/fuzz/run $(abspath obj/fuzz/fuzz-sumline) $(FUZZ_TIME) obj/fuzz/sumline
	./tests/fuzz/run $(abspath obj/fuzz/fuzz-codec) $(FUZZ_TIME) obj/fuzz/codec \
		$(abspath obj/fuzz/seeds-codec)
	./tests/fuzz/run $(abspath obj/fuzz/fuzz-opt) $(FUZZ_TIME) obj/fuzz/opt \
		$(abspath obj/fuzz/seeds-opt)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/ptool
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 completions/ptool.bash $(DESTDIR)$(BASHCOMPDIR)/ptool
	install -m 644 completions/_ptool $(DESTDIR)$(ZSHCOMPDIR)/_ptool
	install -m 644 completions/ptool.fish $(DESTDIR)$(FISHCOMPDIR)/ptool.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ptool $(DESTDIR)$(BASHCOMPDIR)/ptool \
		$(DESTDIR)$(ZSHCOMPDIR)/_ptool $(DESTDIR)$(FISHCOMPDIR)/ptool.fish
	for m in man/*.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$${m#man/}; done

# The run's tables go to the terminal and to bench/results.txt, which
# bench-plot draws (written whole, once the run has succeeded).
bench: $(BIN)
	{ PTOOL=$(abspath $(BIN)) ./bench/run.sh $(BENCHFLAGS); echo $$? >bench/.status; } | \
		tee bench/.results.tmp; \
		status=$$(cat bench/.status); rm -f bench/.status; \
		if [ "$$status" = 0 ]; then mv bench/.results.tmp bench/results.txt; \
		else rm -f bench/.results.tmp; exit "$$status"; fi

bench-plot:
	./bench/plot.sh -o bench.svg bench/results.txt

# soak and memcheck: long runs against this build's binary, apart from
# check for their time (about a minute each on two cores).
soak: $(BIN)
	./tests/soak $(abspath $(BIN))

memcheck: $(BIN)
	$(if $(SANITIZE),$(error memcheck needs a build without SANITIZE: valgrind cannot run sanitized code))
	./tests/memcheck $(abspath $(BIN))

lint-man:
	mandoc -Tlint -W warning man/*.1

clean:
	rm -rf obj ptool

.PHONY: check-build all check unit deps install uninstall bench bench-plot fuzz soak memcheck lint-man clean

-include $(LIB_OBJ:.o=.d) $(OBJDIR)/main.d $(UNIT_OBJ:.o=.d) $(FUZZ_TABLES:.o=.d)
