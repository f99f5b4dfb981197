//! Snapshots of the emitted Rust (`prettyplease`) for a few kernels, and checks that
//! diagnostics and unsupported items become errors rather than panics.

use expect_test::{expect, Expect};
use proc_macro2::TokenStream;

fn expand_text(attr: &str, source: &str) -> String {
    let attr: TokenStream = attr.parse().expect("attribute tokens");
    let item: TokenStream = source.parse().expect("item tokens");
    let tokens = match crate::expand(attr, item) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    };
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(error) => format!("unparsable expansion ({error}): {tokens}"),
    }
}

/// The expansion without the companion module's source string (it repeats the input).
fn check(attr: &str, source: &str, expect: Expect) {
    let text = expand_text(attr, source);
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("pub const SOURCE"))
        .collect();
    expect.assert_eq(&kept.join("\n"));
}

#[test]
fn axpy_hoists_the_checks_of_its_loop() {
    check(
        "",
        "fn axpy(a: f64, x: &[f64], y: &mut [f64]) {\n    for i in 0..y.len() {\n        y[i] += a * x[i];\n    }\n}",
        expect![[r##"
            #[allow(unused_mut, clippy::too_many_arguments)]
            fn axpy(
                a: f64,
                x: &[f64],
                y: &mut [f64],
            ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                let (x, [x_dim0], [x_stride0]) = ::kernel_runtime::__private::raw_parts::<
                    _,
                    1usize,
                >(x);
                let (y, [y_dim0], [y_stride0]) = ::kernel_runtime::__private::raw_parts::<
                    _,
                    1usize,
                >(y);
                let __k_stop = ::kernel_runtime::__private::StopFlag::current();
                unsafe {
                    __kernel_axpy(
                        ::kernel_runtime::isa_level(),
                        a,
                        x,
                        x_dim0,
                        x_stride0,
                        y,
                        y_dim0,
                        y_stride0,
                        __k_stop,
                        1u32,
                    )
                }
            }
            /**Native body of kernel `axpy`, inlined into each copy `__kernel_axpy` holds (one per instruction-set level); calls from it stay at level `__k_isa`.

            # Safety

            Every pointer with its extents and strides must describe a live array (every in-bounds element inside one allocation), writable ones exclusively borrowed for the call; the CPU has level `__k_isa`.*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn __kbody_axpy(
                __k_isa: ::kernel_runtime::IsaLevel,
                a: f64,
                x: *const f64,
                x_dim0: usize,
                x_stride0: isize,
                y: *mut f64,
                y_dim0: usize,
                y_stride0: isize,
                __k_stop: ::kernel_runtime::__private::StopFlag,
                __k_depth: u32,
            ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                use ::kernel_runtime::__private as __k_rt;
                use ::kernel_runtime::ir::semantics as __k_sem;
                if ((x_dim0 as i128) + -(y_dim0 as i128) >= 0i128) {
                    'l0: for i in 0usize..y_dim0 {
                        {
                            let __k_v = a * (unsafe { *x.offset((i as isize) * x_stride0) });
                            let __k_p = unsafe { y.offset((i as isize) * y_stride0) };
                            unsafe {
                                *__k_p = (*__k_p) + __k_v;
                            }
                        }
                    }
                } else {
                    'l0: for i in 0usize..y_dim0 {
                        {
                            let __k_v = a
                                * ({
                                    if (i as usize) >= x_dim0 {
                                        return ::core::result::Result::Err(
                                            __k_rt::out_of_bounds(
                                                "axpy",
                                                3u32,
                                                21u32,
                                                "x",
                                                0u32,
                                                i as i128,
                                                x_dim0,
                                            ),
                                        );
                                    }
                                    unsafe { *x.offset((i as isize) * x_stride0) }
                                });
                            let __k_p = unsafe { y.offset((i as isize) * y_stride0) };
                            unsafe {
                                *__k_p = (*__k_p) + __k_v;
                            }
                        }
                    }
                };
                ::core::result::Result::Ok(())
            }
            /**Native code of kernel `axpy` for the instruction-set level `__k_isa`.

            # Safety

            As `__kbody_axpy`.*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn __kernel_axpy(
                __k_isa: ::kernel_runtime::IsaLevel,
                a: f64,
                x: *const f64,
                x_dim0: usize,
                x_stride0: isize,
                y: *mut f64,
                y_dim0: usize,
                y_stride0: isize,
                __k_stop: ::kernel_runtime::__private::StopFlag,
                __k_depth: u32,
            ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                #[inline]
                unsafe fn __k_baseline(
                    a: f64,
                    x: *const f64,
                    x_dim0: usize,
                    x_stride0: isize,
                    y: *mut f64,
                    y_dim0: usize,
                    y_stride0: isize,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                    unsafe {
                        __kbody_axpy(
                            ::kernel_runtime::IsaLevel::Baseline,
                            a,
                            x,
                            x_dim0,
                            x_stride0,
                            y,
                            y_dim0,
                            y_stride0,
                            __k_stop,
                            __k_depth,
                        )
                    }
                }
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx2,fma")]
                #[inline]
                unsafe fn __k_avx2(
                    a: f64,
                    x: *const f64,
                    x_dim0: usize,
                    x_stride0: isize,
                    y: *mut f64,
                    y_dim0: usize,
                    y_stride0: isize,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                    unsafe {
                        __kbody_axpy(
                            ::kernel_runtime::IsaLevel::Avx2,
                            a,
                            x,
                            x_dim0,
                            x_stride0,
                            y,
                            y_dim0,
                            y_stride0,
                            __k_stop,
                            __k_depth,
                        )
                    }
                }
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
                #[inline]
                unsafe fn __k_avx512(
                    a: f64,
                    x: *const f64,
                    x_dim0: usize,
                    x_stride0: isize,
                    y: *mut f64,
                    y_dim0: usize,
                    y_stride0: isize,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                    unsafe {
                        __kbody_axpy(
                            ::kernel_runtime::IsaLevel::Avx512,
                            a,
                            x,
                            x_dim0,
                            x_stride0,
                            y,
                            y_dim0,
                            y_stride0,
                            __k_stop,
                            __k_depth,
                        )
                    }
                }
                unsafe {
                    match __k_isa {
                        #[cfg(target_arch = "x86_64")]
                        ::kernel_runtime::IsaLevel::Avx512 => {
                            __k_avx512(
                                a,
                                x,
                                x_dim0,
                                x_stride0,
                                y,
                                y_dim0,
                                y_stride0,
                                __k_stop,
                                __k_depth,
                            )
                        }
                        #[cfg(target_arch = "x86_64")]
                        ::kernel_runtime::IsaLevel::Avx2 => {
                            __k_avx2(
                                a,
                                x,
                                x_dim0,
                                x_stride0,
                                y,
                                y_dim0,
                                y_stride0,
                                __k_stop,
                                __k_depth,
                            )
                        }
                        _ => {
                            __k_baseline(
                                a,
                                x,
                                x_dim0,
                                x_stride0,
                                y,
                                y_dim0,
                                y_stride0,
                                __k_stop,
                                __k_depth,
                            )
                        }
                    }
                }
            }
            /**Raw entry of kernel `axpy` for `kernel_runtime::Module::native`.

            # Safety

            As `kernel_runtime::NativeEntry`: one slot per parameter, of its checked type, describing live arrays borrowed for the call (writable ones exclusively, overlapping no other argument).*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            unsafe fn __kentry_axpy(
                __k_args: &[::kernel_runtime::__private::RawArg],
                __k_stop: ::kernel_runtime::__private::StopFlag,
            ) -> ::core::result::Result<
                ::kernel_runtime::__private::RawReturn,
                ::kernel_runtime::KernelError,
            > {
                use ::kernel_runtime::__private as __k_rt;
                let (x, [x_dim0], [x_stride0]) = __k_rt::raw_arg_parts::<
                    f64,
                    1usize,
                >(__k_rt::raw_arg(__k_args, 1usize));
                let (y, [y_dim0], [y_stride0]) = __k_rt::raw_arg_parts::<
                    f64,
                    1usize,
                >(__k_rt::raw_arg(__k_args, 2usize));
                unsafe {
                    __kernel_axpy(
                        ::kernel_runtime::isa_level(),
                        <f64 as __k_rt::FromRawArg>::from_raw_arg(__k_rt::raw_arg(__k_args, 0usize)),
                        x,
                        x_dim0,
                        x_stride0,
                        y,
                        y_dim0,
                        y_stride0,
                        __k_stop,
                        1u32,
                    )
                }
                    .map(__k_rt::IntoRawReturn::into_raw_return)
            }
            ///The source and native code of kernel [`axpy()`], to run it through `kernel_runtime::Module` in any tier.
            mod axpy {
                /// The kernel source as the front end sees it: each token at its line and column in
                /// the original file, so every tier reports the same positions.
                /// The native code of every kernel function, for `kernel_runtime::Module::native`:
                /// the same handles, argument checks and errors as the interpreter and the JIT.
                pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
                    source: SOURCE,
                    boundscheck: true,
                    reassociate: 0u32,
                    max_alloc_bytes: 17179869184u64,
                    functions: &[
                        ::kernel_runtime::NativeFunction {
                            name: "axpy",
                            entry: super::__kentry_axpy,
                        },
                    ],
                };
                /// The kernel in the tier `options.backend` picks: the native code above
                /// (`Backend::Native`), or the source compiled for the interpreter or the JIT.
                pub fn module(
                    options: ::kernel_runtime::Options,
                ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
                    ::kernel_runtime::Module::from_table(&NATIVE, options)
                }
            }"##]],
    );
}

/// Only the baseline copy (`multiversion = false`): the entries pass the baseline level and
/// `__kernel_pairwise` has one copy, no `match`.
#[test]
fn two_dimensional_loop() {
    check(
        "multiversion = false",
        "fn pairwise(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {\n    let (n, m) = x.dim();\n    for i in 0..n {\n        for j in 0..n {\n            let mut s = 0.0;\n            for k in 0..m {\n                let t = x[[i, k]] - x[[j, k]];\n                s += t * t;\n            }\n            d[[i, j]] = s.sqrt();\n        }\n    }\n}",
        expect![[r##"
            #[allow(unused_mut, clippy::too_many_arguments)]
            fn pairwise(
                x: ArrayView2<f64>,
                mut d: ArrayViewMut2<f64>,
            ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                let (x, [x_dim0, x_dim1], [x_stride0, x_stride1]) = ::kernel_runtime::__private::raw_parts::<
                    _,
                    2usize,
                >(x);
                let (d, [d_dim0, d_dim1], [d_stride0, d_stride1]) = ::kernel_runtime::__private::raw_parts::<
                    _,
                    2usize,
                >(d);
                let __k_stop = ::kernel_runtime::__private::StopFlag::current();
                unsafe {
                    __kernel_pairwise(
                        ::kernel_runtime::IsaLevel::Baseline,
                        x,
                        x_dim0,
                        x_dim1,
                        x_stride0,
                        x_stride1,
                        d,
                        d_dim0,
                        d_dim1,
                        d_stride0,
                        d_stride1,
                        __k_stop,
                        1u32,
                    )
                }
            }
            /**Native body of kernel `pairwise`, inlined into each copy `__kernel_pairwise` holds (one per instruction-set level); calls from it stay at level `__k_isa`.

            # Safety

            Every pointer with its extents and strides must describe a live array (every in-bounds element inside one allocation), writable ones exclusively borrowed for the call; the CPU has level `__k_isa`.*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn __kbody_pairwise(
                __k_isa: ::kernel_runtime::IsaLevel,
                x: *const f64,
                x_dim0: usize,
                x_dim1: usize,
                x_stride0: isize,
                x_stride1: isize,
                d: *mut f64,
                d_dim0: usize,
                d_dim1: usize,
                d_stride0: isize,
                d_stride1: isize,
                __k_stop: ::kernel_runtime::__private::StopFlag,
                __k_depth: u32,
            ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                use ::kernel_runtime::__private as __k_rt;
                use ::kernel_runtime::ir::semantics as __k_sem;
                let n: usize = x_dim0;
                let m: usize = x_dim1;
                'l0: for i in 0usize..n {
                    'b0: {
                        'l1: for j in 0usize..n {
                            'b1: {
                                let mut s: f64 = 0.0f64;
                                'l2: for k in 0usize..m {
                                    let t: f64 = (unsafe {
                                        *x
                                            .offset((i as isize) * x_stride0 + (k as isize) * x_stride1)
                                    })
                                        - (unsafe {
                                            *x
                                                .offset((j as isize) * x_stride0 + (k as isize) * x_stride1)
                                        });
                                    {
                                        let __k_v = t * t;
                                        s = s + __k_v;
                                    }
                                }
                                {
                                    let __k_v = s.sqrt();
                                    if (i as usize) >= d_dim0 {
                                        return ::core::result::Result::Err(
                                            __k_rt::out_of_bounds(
                                                "pairwise",
                                                10u32,
                                                13u32,
                                                "d",
                                                0u32,
                                                i as i128,
                                                d_dim0,
                                            ),
                                        );
                                    }
                                    if (j as usize) >= d_dim1 {
                                        return ::core::result::Result::Err(
                                            __k_rt::out_of_bounds(
                                                "pairwise",
                                                10u32,
                                                13u32,
                                                "d",
                                                1u32,
                                                j as i128,
                                                d_dim1,
                                            ),
                                        );
                                    }
                                    unsafe {
                                        *d
                                            .offset(
                                                (i as isize) * d_stride0 + (j as isize) * d_stride1,
                                            ) = __k_v;
                                    }
                                }
                            }
                            let __k_flag = unsafe { __k_stop.get() };
                            if __k_flag != 0 {
                                return ::core::result::Result::Err(
                                    __k_rt::stopped(__k_flag, "pairwise", 4u32, 9u32),
                                );
                            }
                        }
                    }
                    let __k_flag = unsafe { __k_stop.get() };
                    if __k_flag != 0 {
                        return ::core::result::Result::Err(
                            __k_rt::stopped(__k_flag, "pairwise", 3u32, 5u32),
                        );
                    }
                }
                ::core::result::Result::Ok(())
            }
            /**Native code of kernel `pairwise` for the instruction-set level `__k_isa`.

            # Safety

            As `__kbody_pairwise`.*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn __kernel_pairwise(
                __k_isa: ::kernel_runtime::IsaLevel,
                x: *const f64,
                x_dim0: usize,
                x_dim1: usize,
                x_stride0: isize,
                x_stride1: isize,
                d: *mut f64,
                d_dim0: usize,
                d_dim1: usize,
                d_stride0: isize,
                d_stride1: isize,
                __k_stop: ::kernel_runtime::__private::StopFlag,
                __k_depth: u32,
            ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                #[inline]
                unsafe fn __k_baseline(
                    x: *const f64,
                    x_dim0: usize,
                    x_dim1: usize,
                    x_stride0: isize,
                    x_stride1: isize,
                    d: *mut f64,
                    d_dim0: usize,
                    d_dim1: usize,
                    d_stride0: isize,
                    d_stride1: isize,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<(), ::kernel_runtime::KernelError> {
                    unsafe {
                        __kbody_pairwise(
                            ::kernel_runtime::IsaLevel::Baseline,
                            x,
                            x_dim0,
                            x_dim1,
                            x_stride0,
                            x_stride1,
                            d,
                            d_dim0,
                            d_dim1,
                            d_stride0,
                            d_stride1,
                            __k_stop,
                            __k_depth,
                        )
                    }
                }
                unsafe {
                    __k_baseline(
                        x,
                        x_dim0,
                        x_dim1,
                        x_stride0,
                        x_stride1,
                        d,
                        d_dim0,
                        d_dim1,
                        d_stride0,
                        d_stride1,
                        __k_stop,
                        __k_depth,
                    )
                }
            }
            /**Raw entry of kernel `pairwise` for `kernel_runtime::Module::native`.

            # Safety

            As `kernel_runtime::NativeEntry`: one slot per parameter, of its checked type, describing live arrays borrowed for the call (writable ones exclusively, overlapping no other argument).*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            unsafe fn __kentry_pairwise(
                __k_args: &[::kernel_runtime::__private::RawArg],
                __k_stop: ::kernel_runtime::__private::StopFlag,
            ) -> ::core::result::Result<
                ::kernel_runtime::__private::RawReturn,
                ::kernel_runtime::KernelError,
            > {
                use ::kernel_runtime::__private as __k_rt;
                let (x, [x_dim0, x_dim1], [x_stride0, x_stride1]) = __k_rt::raw_arg_parts::<
                    f64,
                    2usize,
                >(__k_rt::raw_arg(__k_args, 0usize));
                let (d, [d_dim0, d_dim1], [d_stride0, d_stride1]) = __k_rt::raw_arg_parts::<
                    f64,
                    2usize,
                >(__k_rt::raw_arg(__k_args, 1usize));
                unsafe {
                    __kernel_pairwise(
                        ::kernel_runtime::IsaLevel::Baseline,
                        x,
                        x_dim0,
                        x_dim1,
                        x_stride0,
                        x_stride1,
                        d,
                        d_dim0,
                        d_dim1,
                        d_stride0,
                        d_stride1,
                        __k_stop,
                        1u32,
                    )
                }
                    .map(__k_rt::IntoRawReturn::into_raw_return)
            }
            ///The source and native code of kernel [`pairwise()`], to run it through `kernel_runtime::Module` in any tier.
            mod pairwise {
                /// The kernel source as the front end sees it: each token at its line and column in
                /// the original file, so every tier reports the same positions.
                /// The native code of every kernel function, for `kernel_runtime::Module::native`:
                /// the same handles, argument checks and errors as the interpreter and the JIT.
                pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
                    source: SOURCE,
                    boundscheck: true,
                    reassociate: 0u32,
                    max_alloc_bytes: 17179869184u64,
                    functions: &[
                        ::kernel_runtime::NativeFunction {
                            name: "pairwise",
                            entry: super::__kentry_pairwise,
                        },
                    ],
                };
                /// The kernel in the tier `options.backend` picks: the native code above
                /// (`Backend::Native`), or the source compiled for the interpreter or the JIT.
                pub fn module(
                    options: ::kernel_runtime::Options,
                ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
                    ::kernel_runtime::Module::from_table(&NATIVE, options)
                }
            }"##]],
    );
}

#[test]
fn recursion_counts_depth() {
    check(
        "",
        "fn fib(n: i64) -> i64 {\n    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\n}",
        expect![[r##"
            #[allow(unused_mut, clippy::too_many_arguments)]
            fn fib(n: i64) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                let __k_stop = ::kernel_runtime::__private::StopFlag::current();
                unsafe { __kernel_fib(::kernel_runtime::isa_level(), n, __k_stop, 1u32) }
            }
            /**Native body of kernel `fib`, inlined into each copy `__kernel_fib` holds (one per instruction-set level); calls from it stay at level `__k_isa`.

            # Safety

            Every pointer with its extents and strides must describe a live array (every in-bounds element inside one allocation), writable ones exclusively borrowed for the call; the CPU has level `__k_isa`.*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn __kbody_fib(
                __k_isa: ::kernel_runtime::IsaLevel,
                n: i64,
                __k_stop: ::kernel_runtime::__private::StopFlag,
                __k_depth: u32,
            ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                use ::kernel_runtime::__private as __k_rt;
                use ::kernel_runtime::ir::semantics as __k_sem;
                let __k_flag = unsafe { __k_stop.get() };
                if __k_flag != 0 {
                    return ::core::result::Result::Err(__k_rt::stopped(__k_flag, "fib", 1u32, 4u32));
                }
                ::core::result::Result::Ok(
                    if n < 2i64 {
                        n
                    } else {
                        ({
                            let __k_a0 = n.wrapping_sub(1i64);
                            if __k_depth >= 512u32 {
                                return ::core::result::Result::Err(
                                    __k_rt::error_at(
                                        ::kernel_runtime::ErrorKind::RecursionLimit {
                                            limit: 512u32,
                                        },
                                        "fib",
                                        2u32,
                                        27u32,
                                    ),
                                );
                            }
                            unsafe { __kernel_fib(__k_isa, __k_a0, __k_stop, __k_depth + 1) }?
                        })
                            .wrapping_add(
                                ({
                                    let __k_a0 = n.wrapping_sub(2i64);
                                    if __k_depth >= 512u32 {
                                        return ::core::result::Result::Err(
                                            __k_rt::error_at(
                                                ::kernel_runtime::ErrorKind::RecursionLimit {
                                                    limit: 512u32,
                                                },
                                                "fib",
                                                2u32,
                                                40u32,
                                            ),
                                        );
                                    }
                                    unsafe {
                                        __kernel_fib(__k_isa, __k_a0, __k_stop, __k_depth + 1)
                                    }?
                                }),
                            )
                    },
                )
            }
            /**Native code of kernel `fib` for the instruction-set level `__k_isa`.

            # Safety

            As `__kbody_fib`.*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn __kernel_fib(
                __k_isa: ::kernel_runtime::IsaLevel,
                n: i64,
                __k_stop: ::kernel_runtime::__private::StopFlag,
                __k_depth: u32,
            ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                #[inline]
                unsafe fn __k_baseline(
                    n: i64,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                    unsafe {
                        __kbody_fib(::kernel_runtime::IsaLevel::Baseline, n, __k_stop, __k_depth)
                    }
                }
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx2,fma")]
                #[inline]
                unsafe fn __k_avx2(
                    n: i64,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                    unsafe { __kbody_fib(::kernel_runtime::IsaLevel::Avx2, n, __k_stop, __k_depth) }
                }
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
                #[inline]
                unsafe fn __k_avx512(
                    n: i64,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                    unsafe {
                        __kbody_fib(::kernel_runtime::IsaLevel::Avx512, n, __k_stop, __k_depth)
                    }
                }
                unsafe {
                    match __k_isa {
                        #[cfg(target_arch = "x86_64")]
                        ::kernel_runtime::IsaLevel::Avx512 => __k_avx512(n, __k_stop, __k_depth),
                        #[cfg(target_arch = "x86_64")]
                        ::kernel_runtime::IsaLevel::Avx2 => __k_avx2(n, __k_stop, __k_depth),
                        _ => __k_baseline(n, __k_stop, __k_depth),
                    }
                }
            }
            /**Raw entry of kernel `fib` for `kernel_runtime::Module::native`.

            # Safety

            As `kernel_runtime::NativeEntry`: one slot per parameter, of its checked type, describing live arrays borrowed for the call (writable ones exclusively, overlapping no other argument).*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            unsafe fn __kentry_fib(
                __k_args: &[::kernel_runtime::__private::RawArg],
                __k_stop: ::kernel_runtime::__private::StopFlag,
            ) -> ::core::result::Result<
                ::kernel_runtime::__private::RawReturn,
                ::kernel_runtime::KernelError,
            > {
                use ::kernel_runtime::__private as __k_rt;
                unsafe {
                    __kernel_fib(
                        ::kernel_runtime::isa_level(),
                        <i64 as __k_rt::FromRawArg>::from_raw_arg(__k_rt::raw_arg(__k_args, 0usize)),
                        __k_stop,
                        1u32,
                    )
                }
                    .map(__k_rt::IntoRawReturn::into_raw_return)
            }
            ///The source and native code of kernel [`fib()`], to run it through `kernel_runtime::Module` in any tier.
            mod fib {
                /// The kernel source as the front end sees it: each token at its line and column in
                /// the original file, so every tier reports the same positions.
                /// The native code of every kernel function, for `kernel_runtime::Module::native`:
                /// the same handles, argument checks and errors as the interpreter and the JIT.
                pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
                    source: SOURCE,
                    boundscheck: true,
                    reassociate: 0u32,
                    max_alloc_bytes: 17179869184u64,
                    functions: &[
                        ::kernel_runtime::NativeFunction {
                            name: "fib",
                            entry: super::__kentry_fib,
                        },
                    ],
                };
                /// The kernel in the tier `options.backend` picks: the native code above
                /// (`Backend::Native`), or the source compiled for the interpreter or the JIT.
                pub fn module(
                    options: ::kernel_runtime::Options,
                ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
                    ::kernel_runtime::Module::from_table(&NATIVE, options)
                }
            }"##]],
    );
}

#[test]
fn division_is_located() {
    check(
        "boundscheck = false, multiversion = false",
        "fn ratio(a: &[i64], k: usize, d: i64) -> i64 {\n    a[k] / d + (a[k] % 7).rem_euclid(d)\n}",
        expect![[r##"
            #[allow(unused_mut, clippy::too_many_arguments)]
            fn ratio(
                a: &[i64],
                k: usize,
                d: i64,
            ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                let (a, [a_dim0], [a_stride0]) = ::kernel_runtime::__private::raw_parts::<
                    _,
                    1usize,
                >(a);
                let __k_stop = ::kernel_runtime::__private::StopFlag::current();
                unsafe {
                    __kernel_ratio(
                        ::kernel_runtime::IsaLevel::Baseline,
                        a,
                        a_dim0,
                        a_stride0,
                        k,
                        d,
                        __k_stop,
                        1u32,
                    )
                }
            }
            /**Native body of kernel `ratio`, inlined into each copy `__kernel_ratio` holds (one per instruction-set level); calls from it stay at level `__k_isa`.

            # Safety

            Every pointer with its extents and strides must describe a live array (every in-bounds element inside one allocation), writable ones exclusively borrowed for the call; the CPU has level `__k_isa`.*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn __kbody_ratio(
                __k_isa: ::kernel_runtime::IsaLevel,
                a: *const i64,
                a_dim0: usize,
                a_stride0: isize,
                k: usize,
                d: i64,
                __k_stop: ::kernel_runtime::__private::StopFlag,
                __k_depth: u32,
            ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                use ::kernel_runtime::__private as __k_rt;
                use ::kernel_runtime::ir::semantics as __k_sem;
                ::core::result::Result::Ok(
                    __k_rt::located(
                            __k_sem::KernelInt::k_div(
                                (unsafe { *a.offset((k as isize) * a_stride0) }),
                                d,
                            ),
                            "ratio",
                            2u32,
                            5u32,
                        )?
                        .wrapping_add(
                            __k_rt::located(
                                __k_sem::KernelInt::k_rem_euclid(
                                    __k_rt::located(
                                        __k_sem::KernelInt::k_rem(
                                            (unsafe { *a.offset((k as isize) * a_stride0) }),
                                            7i64,
                                        ),
                                        "ratio",
                                        2u32,
                                        17u32,
                                    )?,
                                    d,
                                ),
                                "ratio",
                                2u32,
                                16u32,
                            )?,
                        ),
                )
            }
            /**Native code of kernel `ratio` for the instruction-set level `__k_isa`.

            # Safety

            As `__kbody_ratio`.*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn __kernel_ratio(
                __k_isa: ::kernel_runtime::IsaLevel,
                a: *const i64,
                a_dim0: usize,
                a_stride0: isize,
                k: usize,
                d: i64,
                __k_stop: ::kernel_runtime::__private::StopFlag,
                __k_depth: u32,
            ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                #[inline]
                unsafe fn __k_baseline(
                    a: *const i64,
                    a_dim0: usize,
                    a_stride0: isize,
                    k: usize,
                    d: i64,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<i64, ::kernel_runtime::KernelError> {
                    unsafe {
                        __kbody_ratio(
                            ::kernel_runtime::IsaLevel::Baseline,
                            a,
                            a_dim0,
                            a_stride0,
                            k,
                            d,
                            __k_stop,
                            __k_depth,
                        )
                    }
                }
                unsafe { __k_baseline(a, a_dim0, a_stride0, k, d, __k_stop, __k_depth) }
            }
            /**Raw entry of kernel `ratio` for `kernel_runtime::Module::native`.

            # Safety

            As `kernel_runtime::NativeEntry`: one slot per parameter, of its checked type, describing live arrays borrowed for the call (writable ones exclusively, overlapping no other argument).*/
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            unsafe fn __kentry_ratio(
                __k_args: &[::kernel_runtime::__private::RawArg],
                __k_stop: ::kernel_runtime::__private::StopFlag,
            ) -> ::core::result::Result<
                ::kernel_runtime::__private::RawReturn,
                ::kernel_runtime::KernelError,
            > {
                use ::kernel_runtime::__private as __k_rt;
                let (a, [a_dim0], [a_stride0]) = __k_rt::raw_arg_parts::<
                    i64,
                    1usize,
                >(__k_rt::raw_arg(__k_args, 0usize));
                unsafe {
                    __kernel_ratio(
                        ::kernel_runtime::IsaLevel::Baseline,
                        a,
                        a_dim0,
                        a_stride0,
                        <usize as __k_rt::FromRawArg>::from_raw_arg(
                            __k_rt::raw_arg(__k_args, 1usize),
                        ),
                        <i64 as __k_rt::FromRawArg>::from_raw_arg(__k_rt::raw_arg(__k_args, 2usize)),
                        __k_stop,
                        1u32,
                    )
                }
                    .map(__k_rt::IntoRawReturn::into_raw_return)
            }
            ///The source and native code of kernel [`ratio()`], to run it through `kernel_runtime::Module` in any tier.
            mod ratio {
                /// The kernel source as the front end sees it: each token at its line and column in
                /// the original file, so every tier reports the same positions.
                /// The native code of every kernel function, for `kernel_runtime::Module::native`:
                /// the same handles, argument checks and errors as the interpreter and the JIT.
                pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
                    source: SOURCE,
                    boundscheck: false,
                    reassociate: 0u32,
                    max_alloc_bytes: 17179869184u64,
                    functions: &[
                        ::kernel_runtime::NativeFunction {
                            name: "ratio",
                            entry: super::__kentry_ratio,
                        },
                    ],
                };
                /// The kernel in the tier `options.backend` picks: the native code above
                /// (`Backend::Native`), or the source compiled for the interpreter or the JIT.
                pub fn module(
                    options: ::kernel_runtime::Options,
                ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
                    ::kernel_runtime::Module::from_table(&NATIVE, options)
                }
            }"##]],
    );
}

#[test]
fn compile_errors_point_at_tokens_and_keep_a_stub() {
    check(
        "",
        "fn bad(x: f64, n: i64) -> f64 {\n    x + n\n}",
        expect![[r#"
            ::core::compile_error! {
                "mismatched types: expected `f64`, found `i64`\n\nhelp: convert with `as`: `n as f64`"
            }
            #[allow(unused, clippy::all)]
            fn bad(x: f64, n: i64) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                ::core::unreachable!()
            }
            #[allow(unused)]
            mod bad {
                #[allow(unused)]
                #[allow(unused)]
                pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
                    source: SOURCE,
                    boundscheck: true,
                    reassociate: 0,
                    max_alloc_bytes: ::kernel_runtime::ir::alloc::DEFAULT_MAX_ALLOC_BYTES,
                    functions: &[],
                };
                #[allow(unused)]
                pub fn module(
                    options: ::kernel_runtime::Options,
                ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
                    ::core::unreachable!()
                }
            }"#]],
    );
}

#[test]
fn generic_functions_are_rejected() {
    check(
        "",
        "fn g(x: _) -> f64 { 1.0 }",
        expect![[r#"
            ::core::compile_error! {
                "`#[kernel]` function `g` has `_` types: native code needs every type at compile time\n\nhelp: write the concrete types, or compile the source at run time with `kernel_runtime::Module::compile` (the JIT specialises `_`)"
            }
            #[allow(unused)]
            mod g {
                #[allow(unused)]
                #[allow(unused)]
                pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
                    source: SOURCE,
                    boundscheck: true,
                    reassociate: 0,
                    max_alloc_bytes: ::kernel_runtime::ir::alloc::DEFAULT_MAX_ALLOC_BYTES,
                    functions: &[],
                };
                #[allow(unused)]
                pub fn module(
                    options: ::kernel_runtime::Options,
                ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
                    ::core::unreachable!()
                }
            }"#]],
    );
}

#[test]
fn bad_attribute_and_bad_item_are_errors() {
    let text = expand_text("fast", "fn f() {}");
    assert!(text.contains("unknown `#[kernel]` argument"), "{text}");
    let text = expand_text("multiversion = 2", "fn f() {}");
    assert!(text.contains("expected `true` or `false`"), "{text}");
    let text = expand_text("", "struct S;");
    assert!(text.contains("goes on a `fn`"), "{text}");
}

#[test]
fn module_functions_call_each_other() {
    check(
        "",
        "mod m {\n    use ndarray::ArrayView1;\n    pub fn sq(x: f64) -> f64 { x * x }\n    pub fn norm(v: ArrayView1<f64>) -> f64 {\n        let mut acc = [0.0; 2];\n        for i in (0..v.len()).step_by(2) { acc[0] += sq(v[i]); }\n        acc[0].sqrt()\n    }\n}",
        expect![[r#"
            mod m {
                #[allow(unused_imports)]
                use ndarray::ArrayView1;
                /**Native body of kernel `sq`, inlined into each copy `__kernel_sq` holds (one per instruction-set level); calls from it stay at level `__k_isa`.

            # Safety

            Every pointer with its extents and strides must describe a live array (every in-bounds element inside one allocation), writable ones exclusively borrowed for the call; the CPU has level `__k_isa`.*/
                #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
                #[inline(always)]
                unsafe fn __kbody_sq(
                    __k_isa: ::kernel_runtime::IsaLevel,
                    x: f64,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                    use ::kernel_runtime::__private as __k_rt;
                    use ::kernel_runtime::ir::semantics as __k_sem;
                    ::core::result::Result::Ok(x * x)
                }
                /**Native code of kernel `sq` for the instruction-set level `__k_isa`.

            # Safety

            As `__kbody_sq`.*/
                #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
                #[inline(always)]
                unsafe fn __kernel_sq(
                    __k_isa: ::kernel_runtime::IsaLevel,
                    x: f64,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                    #[inline]
                    unsafe fn __k_baseline(
                        x: f64,
                        __k_stop: ::kernel_runtime::__private::StopFlag,
                        __k_depth: u32,
                    ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                        unsafe {
                            __kbody_sq(::kernel_runtime::IsaLevel::Baseline, x, __k_stop, __k_depth)
                        }
                    }
                    #[cfg(target_arch = "x86_64")]
                    #[target_feature(enable = "avx2,fma")]
                    #[inline]
                    unsafe fn __k_avx2(
                        x: f64,
                        __k_stop: ::kernel_runtime::__private::StopFlag,
                        __k_depth: u32,
                    ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                        unsafe {
                            __kbody_sq(::kernel_runtime::IsaLevel::Avx2, x, __k_stop, __k_depth)
                        }
                    }
                    #[cfg(target_arch = "x86_64")]
                    #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
                    #[inline]
                    unsafe fn __k_avx512(
                        x: f64,
                        __k_stop: ::kernel_runtime::__private::StopFlag,
                        __k_depth: u32,
                    ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                        unsafe {
                            __kbody_sq(::kernel_runtime::IsaLevel::Avx512, x, __k_stop, __k_depth)
                        }
                    }
                    unsafe {
                        match __k_isa {
                            #[cfg(target_arch = "x86_64")]
                            ::kernel_runtime::IsaLevel::Avx512 => __k_avx512(x, __k_stop, __k_depth),
                            #[cfg(target_arch = "x86_64")]
                            ::kernel_runtime::IsaLevel::Avx2 => __k_avx2(x, __k_stop, __k_depth),
                            _ => __k_baseline(x, __k_stop, __k_depth),
                        }
                    }
                }
                /**Raw entry of kernel `sq` for `kernel_runtime::Module::native`.

            # Safety

            As `kernel_runtime::NativeEntry`: one slot per parameter, of its checked type, describing live arrays borrowed for the call (writable ones exclusively, overlapping no other argument).*/
                #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
                unsafe fn __kentry_sq(
                    __k_args: &[::kernel_runtime::__private::RawArg],
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                ) -> ::core::result::Result<
                    ::kernel_runtime::__private::RawReturn,
                    ::kernel_runtime::KernelError,
                > {
                    use ::kernel_runtime::__private as __k_rt;
                    unsafe {
                        __kernel_sq(
                            ::kernel_runtime::isa_level(),
                            <f64 as __k_rt::FromRawArg>::from_raw_arg(
                                __k_rt::raw_arg(__k_args, 0usize),
                            ),
                            __k_stop,
                            1u32,
                        )
                    }
                        .map(__k_rt::IntoRawReturn::into_raw_return)
                }
                #[allow(unused_mut, clippy::too_many_arguments)]
                pub fn sq(x: f64) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                    let __k_stop = ::kernel_runtime::__private::StopFlag::current();
                    unsafe { __kernel_sq(::kernel_runtime::isa_level(), x, __k_stop, 1u32) }
                }
                /**Native body of kernel `norm`, inlined into each copy `__kernel_norm` holds (one per instruction-set level); calls from it stay at level `__k_isa`.

            # Safety

            Every pointer with its extents and strides must describe a live array (every in-bounds element inside one allocation), writable ones exclusively borrowed for the call; the CPU has level `__k_isa`.*/
                #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
                #[inline(always)]
                unsafe fn __kbody_norm(
                    __k_isa: ::kernel_runtime::IsaLevel,
                    v: *const f64,
                    v_dim0: usize,
                    v_stride0: isize,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                    use ::kernel_runtime::__private as __k_rt;
                    use ::kernel_runtime::ir::semantics as __k_sem;
                    let __k_flag = unsafe { __k_stop.get() };
                    if __k_flag != 0 {
                        return ::core::result::Result::Err(
                            __k_rt::stopped(__k_flag, "norm", 4u32, 12u32),
                        );
                    }
                    let mut acc: [f64; 2usize] = [0.0f64; 2usize];
                    {
                        let __k_start = 0usize;
                        let __k_end = v_dim0;
                        let __k_step: usize = 2usize;
                        if __k_step == 0 {
                            return ::core::result::Result::Err(
                                __k_rt::error_at(
                                    ::kernel_runtime::ErrorKind::ZeroStep,
                                    "norm",
                                    6u32,
                                    39u32,
                                ),
                            );
                        }
                        'l0: for i in (__k_start..__k_end).step_by(__k_step) {
                            'b0: {
                                {
                                    let __k_v = {
                                        let __k_a0 = unsafe { *v.offset((i as isize) * v_stride0) };
                                        if __k_depth >= 512u32 {
                                            return ::core::result::Result::Err(
                                                __k_rt::error_at(
                                                    ::kernel_runtime::ErrorKind::RecursionLimit {
                                                        limit: 512u32,
                                                    },
                                                    "norm",
                                                    6u32,
                                                    54u32,
                                                ),
                                            );
                                        }
                                        unsafe {
                                            __kernel_sq(__k_isa, __k_a0, __k_stop, __k_depth + 1)
                                        }?
                                    };
                                    let __k_ix = 0i64 as usize;
                                    acc[__k_ix] = (acc[__k_ix]) + __k_v;
                                }
                            }
                            let __k_flag = unsafe { __k_stop.get() };
                            if __k_flag != 0 {
                                return ::core::result::Result::Err(
                                    __k_rt::stopped(__k_flag, "norm", 6u32, 9u32),
                                );
                            }
                        }
                    };
                    ::core::result::Result::Ok(acc[0i64 as usize].sqrt())
                }
                /**Native code of kernel `norm` for the instruction-set level `__k_isa`.

            # Safety

            As `__kbody_norm`.*/
                #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
                #[inline(always)]
                unsafe fn __kernel_norm(
                    __k_isa: ::kernel_runtime::IsaLevel,
                    v: *const f64,
                    v_dim0: usize,
                    v_stride0: isize,
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                    __k_depth: u32,
                ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                    #[inline]
                    unsafe fn __k_baseline(
                        v: *const f64,
                        v_dim0: usize,
                        v_stride0: isize,
                        __k_stop: ::kernel_runtime::__private::StopFlag,
                        __k_depth: u32,
                    ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                        unsafe {
                            __kbody_norm(
                                ::kernel_runtime::IsaLevel::Baseline,
                                v,
                                v_dim0,
                                v_stride0,
                                __k_stop,
                                __k_depth,
                            )
                        }
                    }
                    #[cfg(target_arch = "x86_64")]
                    #[target_feature(enable = "avx2,fma")]
                    #[inline]
                    unsafe fn __k_avx2(
                        v: *const f64,
                        v_dim0: usize,
                        v_stride0: isize,
                        __k_stop: ::kernel_runtime::__private::StopFlag,
                        __k_depth: u32,
                    ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                        unsafe {
                            __kbody_norm(
                                ::kernel_runtime::IsaLevel::Avx2,
                                v,
                                v_dim0,
                                v_stride0,
                                __k_stop,
                                __k_depth,
                            )
                        }
                    }
                    #[cfg(target_arch = "x86_64")]
                    #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
                    #[inline]
                    unsafe fn __k_avx512(
                        v: *const f64,
                        v_dim0: usize,
                        v_stride0: isize,
                        __k_stop: ::kernel_runtime::__private::StopFlag,
                        __k_depth: u32,
                    ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                        unsafe {
                            __kbody_norm(
                                ::kernel_runtime::IsaLevel::Avx512,
                                v,
                                v_dim0,
                                v_stride0,
                                __k_stop,
                                __k_depth,
                            )
                        }
                    }
                    unsafe {
                        match __k_isa {
                            #[cfg(target_arch = "x86_64")]
                            ::kernel_runtime::IsaLevel::Avx512 => {
                                __k_avx512(v, v_dim0, v_stride0, __k_stop, __k_depth)
                            }
                            #[cfg(target_arch = "x86_64")]
                            ::kernel_runtime::IsaLevel::Avx2 => {
                                __k_avx2(v, v_dim0, v_stride0, __k_stop, __k_depth)
                            }
                            _ => __k_baseline(v, v_dim0, v_stride0, __k_stop, __k_depth),
                        }
                    }
                }
                /**Raw entry of kernel `norm` for `kernel_runtime::Module::native`.

            # Safety

            As `kernel_runtime::NativeEntry`: one slot per parameter, of its checked type, describing live arrays borrowed for the call (writable ones exclusively, overlapping no other argument).*/
                #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
                unsafe fn __kentry_norm(
                    __k_args: &[::kernel_runtime::__private::RawArg],
                    __k_stop: ::kernel_runtime::__private::StopFlag,
                ) -> ::core::result::Result<
                    ::kernel_runtime::__private::RawReturn,
                    ::kernel_runtime::KernelError,
                > {
                    use ::kernel_runtime::__private as __k_rt;
                    let (v, [v_dim0], [v_stride0]) = __k_rt::raw_arg_parts::<
                        f64,
                        1usize,
                    >(__k_rt::raw_arg(__k_args, 0usize));
                    unsafe {
                        __kernel_norm(
                            ::kernel_runtime::isa_level(),
                            v,
                            v_dim0,
                            v_stride0,
                            __k_stop,
                            1u32,
                        )
                    }
                        .map(__k_rt::IntoRawReturn::into_raw_return)
                }
                #[allow(unused_mut, clippy::too_many_arguments)]
                pub fn norm(
                    v: ArrayView1<f64>,
                ) -> ::core::result::Result<f64, ::kernel_runtime::KernelError> {
                    let (v, [v_dim0], [v_stride0]) = ::kernel_runtime::__private::raw_parts::<
                        _,
                        1usize,
                    >(v);
                    let __k_stop = ::kernel_runtime::__private::StopFlag::current();
                    unsafe {
                        __kernel_norm(
                            ::kernel_runtime::isa_level(),
                            v,
                            v_dim0,
                            v_stride0,
                            __k_stop,
                            1u32,
                        )
                    }
                }
                /// The kernel source as the front end sees it: each token at its line and column in
                /// the original file, so every tier reports the same positions.
                /// The native code of every kernel function, for `kernel_runtime::Module::native`:
                /// the same handles, argument checks and errors as the interpreter and the JIT.
                pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
                    source: SOURCE,
                    boundscheck: true,
                    reassociate: 0u32,
                    max_alloc_bytes: 17179869184u64,
                    functions: &[
                        ::kernel_runtime::NativeFunction {
                            name: "sq",
                            entry: __kentry_sq,
                        },
                        ::kernel_runtime::NativeFunction {
                            name: "norm",
                            entry: __kentry_norm,
                        },
                    ],
                };
                /// The kernel in the tier `options.backend` picks: the native code above
                /// (`Backend::Native`), or the source compiled for the interpreter or the JIT.
                pub fn module(
                    options: ::kernel_runtime::Options,
                ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
                    ::kernel_runtime::Module::from_table(&NATIVE, options)
                }
            }"#]],
    );
}
