# The README's two commands: `make demo` and `make test`. Both install what is
# missing (scripts/install-deps.sh), build, and run.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
BUILD_CLANG ?= build-clang
FUZZ_SECONDS ?= 20

.PHONY: all deps build build-asan build-fuzz test test-release test-clang test-asan fuzz-smoke bench demo clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZKI_SANITIZE=ON -DZKI_CHECKED=ON >/dev/null
	@cmake --build $(BUILD_ASAN) -j $(JOBS)

# Every test twice: optimised, then under ASan+UBSan with the internal
# invariant checks on (ZKI_CHECKED, src/common/check.h). Between them the
# golden proofs from a clang build: proof bytes must not depend on the
# compiler (two tape writes passed as arguments of one call once made a
# clang prover's proofs fail a GCC verifier; C leaves that order open).
test: test-release test-clang test-asan

test-release: build
	@echo "== tests (optimised build) =="
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@sh scripts/sum-checks.sh $(BUILD)

test-clang: deps
	@echo "== golden proofs (clang build) =="
	@CC=clang cmake -S . -B $(BUILD_CLANG) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_CLANG) -j $(JOBS) --target test_golden >/dev/null
	@./$(BUILD_CLANG)/test_golden || { echo "test-clang: proofs from the clang build differ from the golden (GCC) ones; before regenerating, look for an order C leaves open (two transcript or tape writes as arguments of one call)"; exit 1; }

test-asan: build-asan
	@echo "== tests (ASan+UBSan build) =="
	@cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)
	@sh scripts/sum-checks.sh $(BUILD_ASAN)

# libFuzzer harnesses (clang), each run briefly from an empty corpus; any
# crash, leak or sanitizer report fails the target.
build-fuzz: deps
	@CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZKI_FUZZ=ON >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_onnx fuzz_npy fuzz_pcs_proof fuzz_zkm fuzz_vk fuzz_proof fuzz_cnn_proof fuzz_concat_proof fuzz_lut_proof fuzz_zk_proof fuzz_serve_json

fuzz-smoke: build-fuzz
	@for f in fuzz_onnx fuzz_npy fuzz_pcs_proof fuzz_zkm fuzz_vk fuzz_proof fuzz_cnn_proof fuzz_concat_proof fuzz_lut_proof fuzz_zk_proof fuzz_serve_json; do \
		echo "== fuzz $$f ($(FUZZ_SECONDS) s) =="; \
		mkdir -p $(BUILD_FUZZ)/corpus-$$f; \
		if ./$(BUILD_FUZZ)/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD_FUZZ)/ $(BUILD_FUZZ)/corpus-$$f >$(BUILD_FUZZ)/$$f.log 2>&1; then \
			grep -E "^stat::number_of_executed_units" $(BUILD_FUZZ)/$$f.log; \
		else \
			tail -40 $(BUILD_FUZZ)/$$f.log; echo "fuzz: $$f failed"; exit 1; \
		fi; \
	done

bench: build
	@./$(BUILD)/bench_core

# The demo compiles (quantises) the bundled Fashion-MNIST MLP and commits its
# weights (model.vk, model.zpk), proves one inference and verifies the proof:
# the predicted class, proof size and times are printed by prove / verify;
# then the same image through the bundled CNN; then 16 bytes of text
# generated greedily by the small GPT trained here (int16 activations: 97.7 %
# top-1 agreement with torch), proven and verified.
DEMO_DIR ?= $(BUILD)/demo
GEN_PROMPT = The Software is
FMNIST_CLASSES = T-shirt/top Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag Ankle-boot
demo: build
	@mkdir -p $(DEMO_DIR)
	@echo "== zkinfer demo: compile the bundled Fashion-MNIST MLP, commit its weights =="
	@./$(BUILD)/zkinfer compile tests/data/fmnist_mlp.onnx --calib tests/data/fmnist_calib.npy -o $(DEMO_DIR)/fmnist_mlp.zkm
	@echo "== prove one inference (tests/data/fmnist_sample.npy) =="
	@/usr/bin/time -f "prover process: %e s wall, peak RSS %M KB" ./$(BUILD)/zkinfer prove $(DEMO_DIR)/fmnist_mlp.zkm --input tests/data/fmnist_sample.npy -o $(DEMO_DIR)/fmnist_sample.zkp
	@echo "== verify with the verification key only =="
	@./$(BUILD)/zkinfer verify $(DEMO_DIR)/fmnist_mlp.vk --input tests/data/fmnist_sample.npy --proof $(DEMO_DIR)/fmnist_sample.zkp | tee $(DEMO_DIR)/verify.txt
	@c=$$(sed -n 's/.*class (argmax) \([0-9]*\).*/\1/p' $(DEMO_DIR)/verify.txt | head -1); \
	  set -- $(FMNIST_CLASSES); shift $$c; echo "predicted class: $$c ($$1), verified"; \
	  echo "proof size: $$(wc -c < $(DEMO_DIR)/fmnist_sample.zkp) bytes; verification key: $$(wc -c < $(DEMO_DIR)/fmnist_mlp.vk) bytes"
	@echo "== the same image through the bundled Fashion-MNIST CNN (Conv, MaxPool, Gemm) =="
	@./$(BUILD)/zkinfer compile tests/data/fmnist_cnn.onnx --calib tests/data/fmnist_calib.npy -o $(DEMO_DIR)/fmnist_cnn.zkm | tail -3
	@./$(BUILD)/zkinfer prove $(DEMO_DIR)/fmnist_cnn.zkm --input tests/data/fmnist_sample.npy -o $(DEMO_DIR)/fmnist_cnn.zkp | tail -2
	@./$(BUILD)/zkinfer verify $(DEMO_DIR)/fmnist_cnn.vk --input tests/data/fmnist_sample.npy --proof $(DEMO_DIR)/fmnist_cnn.zkp | tee $(DEMO_DIR)/verify_cnn.txt
	@c=$$(sed -n 's/.*class (argmax) \([0-9]*\).*/\1/p' $(DEMO_DIR)/verify_cnn.txt | head -1); \
	  set -- $(FMNIST_CLASSES); shift $$c; echo "CNN predicted class: $$c ($$1), verified"
	@echo "== greedy generation, proven: the small GPT trained on Debian's license texts (tests/data/gpt_small.onnx) =="
	@./$(BUILD)/zkinfer compile tests/data/gpt_small.onnx --calib tests/data/gpt_small_calib.npy --act-bits 16 -o $(DEMO_DIR)/gpt_small.zkm | grep -E "accuracy report|top-1 agreement|cosine similarity|wrote .*vk"
	@/usr/bin/python3 tools/gpt_text.py encode tests/data/gpt_small.json "$(GEN_PROMPT)" -o $(DEMO_DIR)/prompt.npy
	@/usr/bin/time -f "generation and proof: %e s wall, peak RSS %M KB" ./$(BUILD)/zkinfer generate $(DEMO_DIR)/gpt_small.zkm --prompt $(DEMO_DIR)/prompt.npy --max-new 16 -o $(DEMO_DIR)/generate.zkp | tail -2
	@./$(BUILD)/zkinfer verify $(DEMO_DIR)/gpt_small.vk --prompt $(DEMO_DIR)/prompt.npy --proof $(DEMO_DIR)/generate.zkp | tee $(DEMO_DIR)/verify_gen.txt | tail -1
	@/usr/bin/python3 tools/gpt_text.py decode tests/data/gpt_small.json < $(DEMO_DIR)/verify_gen.txt

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_CLANG)
