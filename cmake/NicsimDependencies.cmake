# Every external dependency is a Debian 12 package (see scripts/packages.txt).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(Boost REQUIRED COMPONENTS program_options)
find_package(benchmark REQUIRED)

pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf)
pkg_check_modules(LIBPCAP REQUIRED IMPORTED_TARGET libpcap)
pkg_check_modules(UNICORN REQUIRED IMPORTED_TARGET unicorn)
pkg_check_modules(CAPSTONE REQUIRED IMPORTED_TARGET capstone)
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)

# BPF objects: clang-19 understands ISA v4 (sdiv, movsx, bswap, gotol); clang 14 is the fallback.
find_program(NICSIM_BPF_CLANG NAMES clang-19 clang REQUIRED)
find_program(NICSIM_LLVM_MC NAMES llvm-mc-19 llvm-mc)
