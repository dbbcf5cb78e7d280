# The Linux kernel's XDP samples from Debian's linux-source tarball: only the files needed
# are extracted, into the build directory. xdp1 and xdp2 are not built: linux 6.12 no
# longer ships them (see docs/programs.md). Optional: without the tarball they are skipped.

set(NICSIM_LINUX_SOURCE_TARBALL "/usr/src/linux-source-6.12.tar.xz" CACHE FILEPATH
    "Debian linux-source tarball holding samples/bpf (the kernel XDP samples)")
set(NICSIM_KERNEL_SAMPLES_BUILT OFF)

if(NOT EXISTS "${NICSIM_LINUX_SOURCE_TARBALL}")
  message(STATUS "nicsim: ${NICSIM_LINUX_SOURCE_TARBALL} not found; "
                 "skipping the kernel XDP samples (install linux-source-6.12 to build them)")
  return()
endif()
set(NICSIM_KERNEL_SAMPLES_BUILT ON)

set(compat_dir "${CMAKE_CURRENT_SOURCE_DIR}/kernel-compat")
set(extract_dir "${CMAKE_CURRENT_BINARY_DIR}/kernel-src")
set(sample_dir "${extract_dir}/samples/bpf")
set(sample_files
  xdp_adjust_tail_kern.c
  xdp_fwd_kern.c
  xdp_tx_iptunnel_kern.c
  xdp_tx_iptunnel_common.h
  xdp_router_ipv4.bpf.c
  xdp_sample.bpf.h
  xdp_sample_shared.h
  net_shared.h)
set(extracted "")
set(patterns "")
foreach(file IN LISTS sample_files)
  list(APPEND extracted "${sample_dir}/${file}")
  list(APPEND patterns "*/samples/bpf/${file}")
endforeach()
# -m: stamp the files now, so that they are newer than the tarball and not re-extracted.
add_custom_command(
  OUTPUT ${extracted}
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${extract_dir}"
  COMMAND tar -xJmf "${NICSIM_LINUX_SOURCE_TARBALL}" -C "${extract_dir}" --strip-components=1
          --wildcards ${patterns}
  DEPENDS "${NICSIM_LINUX_SOURCE_TARBALL}"
  COMMENT "Extracting the kernel's XDP samples from ${NICSIM_LINUX_SOURCE_TARBALL}"
  VERBATIM)

# xdp_router_ipv4.bpf.c needs vmlinux.h: dumped from the running kernel's BTF by bpftool
# when both are there, else the minimal declarations in kernel-compat/vmlinux/.
find_program(NICSIM_BPFTOOL bpftool PATHS /usr/sbin /sbin)
set(kernel_btf "/sys/kernel/btf/vmlinux")
if(EXISTS "${NICSIM_BPFTOOL}" AND EXISTS "${kernel_btf}")
  set(vmlinux_dir "${CMAKE_CURRENT_BINARY_DIR}/kernel-vmlinux")
  set(vmlinux_h "${vmlinux_dir}/vmlinux.h")
  add_custom_command(
    OUTPUT "${vmlinux_h}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${vmlinux_dir}"
    COMMAND sh -c "\"$0\" btf dump file \"$1\" format c > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
            "${NICSIM_BPFTOOL}" "${kernel_btf}" "${vmlinux_h}"
    COMMENT "Generating vmlinux.h from ${kernel_btf}"
    VERBATIM)
  message(STATUS "nicsim: kernel XDP samples use vmlinux.h from ${kernel_btf}")
else()
  set(vmlinux_dir "${compat_dir}/vmlinux")
  set(vmlinux_h "${vmlinux_dir}/vmlinux.h")
  message(STATUS "nicsim: no bpftool or ${kernel_btf}; kernel XDP samples use the minimal "
                 "kernel-compat/vmlinux/vmlinux.h")
endif()

# The warnings the kernel's samples/bpf Makefile silences for them.
set(kernel_sample_flags ${bpf_flags}
  -Wno-unused-value -Wno-pointer-sign -Wno-compare-distinct-pointer-types
  -Wno-gnu-variable-sized-type-not-at-end -Wno-address-of-packed-member
  -Wno-tautological-compare)

set(kernel_outputs "")
# <output name> <source> <extra dependencies...>
function(nicsim_kernel_sample name source)
  set(object "${NICSIM_KERNEL_PROGRAMS_DIR}/${name}.o")
  if(source MATCHES "\\.bpf\\.c$")
    set(extra -D__TARGET_ARCH_x86 -I "${vmlinux_dir}"
              -include "${compat_dir}/xdp_sample_compat.h")
  else()
    set(extra -include "${compat_dir}/kern_compat.h")
  endif()
  add_custom_command(
    OUTPUT "${object}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${NICSIM_KERNEL_PROGRAMS_DIR}"
    COMMAND "${NICSIM_BPF_CLANG}" ${kernel_sample_flags} -I "${compat_dir}" -I "${sample_dir}"
            ${extra} -c "${sample_dir}/${source}" -o "${object}"
    DEPENDS ${extracted} ${ARGN} "${compat_dir}/kern_compat.h"
            "${compat_dir}/xdp_sample_compat.h"
    COMMENT "BPF kernel/${name}.o"
    VERBATIM)
  set(kernel_outputs ${kernel_outputs} "${object}" PARENT_SCOPE)
endfunction()

nicsim_kernel_sample(xdp_adjust_tail xdp_adjust_tail_kern.c)
nicsim_kernel_sample(xdp_fwd xdp_fwd_kern.c)
nicsim_kernel_sample(xdp_tx_iptunnel xdp_tx_iptunnel_kern.c)
nicsim_kernel_sample(xdp_router_ipv4 xdp_router_ipv4.bpf.c "${vmlinux_h}")
add_custom_target(nicsim_kernel_xdp_samples ALL DEPENDS ${kernel_outputs})
