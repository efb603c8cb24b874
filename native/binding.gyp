{
  "targets": [
    {
      "target_name": "lrf_native",
      "sources": ["src/addon.c", "src/isa_avx512.c", "src/isa_avx2.c"],
      "cflags": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno", "-fno-strict-aliasing", "-Wall", "-Wno-unused-function",
                 "-Werror=incompatible-pointer-types"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["target_arch != 'x64'", { "sources!": ["src/isa_avx512.c", "src/isa_avx2.c"], "defines": ["LRF_NO_X86"] }]
      ]
    }
  ]
}
