//! Cranelift IR snapshots of the loop shapes the bounds analysis hoists: what a reviewer of a
//! change to `translate/versioning.rs`, `access.rs` or `promote.rs` should see move. Update
//! with `UPDATE_EXPECT=1 cargo test -p kernel-jit --test clif_snapshots` and read the diff.

mod support;

use expect_test::{expect, Expect};
use kernel_jit::JitOptions;

/// The CLIF of function `name` of `source`, without the parts that vary between hosts and
/// runs (nothing today: the text names functions by index, not by address).
fn clif(source: &str, name: &str) -> String {
    let options = JitOptions {
        keep_text: true,
        ..JitOptions::default()
    };
    let compiled = support::compile_with(source, options);
    let id = compiled.program.concrete(name).expect("function exists");
    compiled.jit.clif(id).expect("text kept").to_string()
}

fn check(source: &str, name: &str, expected: Expect) {
    expected.assert_eq(&clif(source, name));
}

/// A loop whose index range is proven by its own bounds: no check, no guard.
#[test]
fn proven_loop_has_no_check() {
    check(
        "fn sum(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } s }",
        "sum",
        expect![[r#"
            function u0:0(i64, i32, i64) -> i8, f64 system_v {
            block0(v0: i64, v1: i32, v2: i64):
                v3 = load.i64 notrap aligned v0+24
                v4 = f64const 0.0
                v5 = iconst.i64 0
                v6 = f64const 0.0
                v7 = iconst.i64 0
                v8 = load.i64 notrap aligned readonly can_move v2
                v9 = load.i64 notrap aligned readonly can_move v2+8
                v10 = load.i64 notrap aligned readonly can_move v2+32
                v11 = icmp ult v7, v9  ; v7 = 0
                v12 = iconst.i64 -1
                v13 = iadd v9, v12  ; v12 = -1
                brif v11, block2(v7, v6), block4(v6)  ; v7 = 0, v6 = 0.0, v6 = 0.0

            block2(v14: i64, v23: f64):
                v15 = load.i64 notrap aligned readonly can_move v2
                v16 = load.i64 notrap aligned readonly can_move v2+8
                v17 = load.i64 notrap aligned readonly can_move v2+32
                v18 = imul v14, v17
                v19 = iconst.i64 8
                v20 = imul v18, v19  ; v19 = 8
                v21 = iadd v15, v20
                v22 = load.f64 notrap aligned v21
                v24 = fadd v23, v22
                jump block3

            block3:
                v25 = iconst.i64 1
                v26 = iadd.i64 v14, v25  ; v25 = 1
                v27 = icmp eq v26, v9
                brif v27, block4(v24), block2(v26, v24)

            block4(v28: f64):
                v29 = iconst.i8 0
                return v29, v28  ; v29 = 0

            block1 cold:
                v30 = iconst.i8 1
                v31 = f64const 0.0
                return v30, v31  ; v30 = 1, v31 = 0.0
            }
        "#]],
    );
}

/// `n` is a size parameter: the check of `x[i]` is hoisted to one guard `n <= len(x)` at the
/// loop's entry; the fast copy runs without it, the checked copy keeps it.
#[test]
fn size_parameter_loop_is_versioned() {
    check(
        "fn head(x: &[f64], n: usize) -> f64 { let mut s = 0.0; for i in 0..n { s += x[i]; } s }",
        "head",
        expect![[r#"
            function u0:0(i64, i32, i64, i64) -> i8, f64 system_v {
            block0(v0: i64, v1: i32, v2: i64, v3: i64):
                v4 = load.i64 notrap aligned v0+24
                v5 = iconst.i64 0
                v6 = f64const 0.0
                v7 = iconst.i64 0
                v8 = f64const 0.0
                v9 = iconst.i64 0
                v10 = iconst.i64 0
                v11 = iconcat v9, v10  ; v9 = 0, v10 = 0
                v12 = uextend.i128 v3
                v13 = isub v11, v12
                v14 = load.i64 notrap aligned readonly can_move v2
                v15 = load.i64 notrap aligned readonly can_move v2+8
                v16 = load.i64 notrap aligned readonly can_move v2+32
                v17 = uextend.i128 v15
                v18 = iadd v13, v17
                v19 = iconst.i64 0
                v20 = iconst.i64 0
                v21 = iconcat v19, v20  ; v19 = 0, v20 = 0
                v22 = icmp sge v18, v21
                brif v22, block2, block3

            block2:
                v23 = iconst.i64 0
                v24 = icmp ult v23, v3  ; v23 = 0
                v25 = iconst.i64 -1
                v26 = iadd.i64 v3, v25  ; v25 = -1
                brif v24, block5(v23, v8), block7(v8)  ; v23 = 0, v8 = 0.0, v8 = 0.0

            block5(v27: i64, v36: f64):
                v28 = load.i64 notrap aligned readonly can_move v2
                v29 = load.i64 notrap aligned readonly can_move v2+8
                v30 = load.i64 notrap aligned readonly can_move v2+32
                v31 = imul v27, v30
                v32 = iconst.i64 8
                v33 = imul v31, v32  ; v32 = 8
                v34 = iadd v28, v33
                v35 = load.f64 notrap aligned v34
                v37 = fadd v36, v35
                jump block6

            block6:
                v38 = iconst.i64 1
                v39 = iadd.i64 v27, v38  ; v38 = 1
                v40 = icmp eq v39, v3
                brif v40, block7(v37), block5(v39, v37)

            block7(v62: f64):
                jump block4(v62)

            block3:
                v41 = iconst.i64 0
                v42 = icmp ult v41, v3  ; v41 = 0
                v43 = iconst.i64 -1
                v44 = iadd.i64 v3, v43  ; v43 = -1
                brif v42, block8(v41, v8), block10(v8)  ; v41 = 0, v8 = 0.0, v8 = 0.0

            block8(v45: i64, v56: f64):
                v46 = load.i64 notrap aligned readonly can_move v2
                v47 = load.i64 notrap aligned readonly can_move v2+8
                v48 = load.i64 notrap aligned readonly can_move v2+32
                v49 = icmp uge v45, v47
                brif v49, block11, block12

            block11 cold:
                v50 = iconst.i32 0
                store notrap aligned v50, v0  ; v50 = 0
                store.i64 notrap aligned v45, v0+8
                store.i64 notrap aligned v47, v0+16
                jump block1

            block12:
                v51 = imul.i64 v45, v48
                v52 = iconst.i64 8
                v53 = imul v51, v52  ; v52 = 8
                v54 = iadd.i64 v46, v53
                v55 = load.f64 notrap aligned v54
                v57 = fadd.f64 v56, v55
                jump block9

            block9:
                v58 = iconst.i64 1
                v59 = iadd.i64 v45, v58  ; v58 = 1
                v60 = icmp eq v59, v3
                brif v60, block10(v57), block8(v59, v57)

            block10(v63: f64):
                jump block4(v63)

            block4(v61: f64):
                v64 = iconst.i8 0
                return v64, v61  ; v64 = 0

            block1 cold:
                v65 = iconst.i8 1
                v66 = f64const 0.0
                return v65, v66  ; v65 = 1, v66 = 0.0
            }
        "#]],
    );
}

/// A reduction into `c[[i, j]]` over `k` keeps the element in a register inside the loop,
/// storing every update (so errors see the interpreter's values).
#[test]
fn reduction_element_is_promoted() {
    check(
        "fn mm(a: ArrayView2<f64>, b: ArrayView2<f64>, mut c: ArrayViewMut2<f64>) {
            for i in 0..c.nrows() {
                for j in 0..c.ncols() {
                    for k in 0..a.ncols() {
                        c[[i, j]] += a[[i, k]] * b[[k, j]];
                    }
                }
            }
        }",
        "mm",
        expect![[r#"
            function u0:0(i64, i32, i64, i64, i64) -> i8 system_v {
            block0(v0: i64, v1: i32, v2: i64, v3: i64, v4: i64):
                v5 = load.i64 notrap aligned v0+24
                v6 = iconst.i64 0
                v7 = iconst.i64 0
                v8 = iconst.i64 0
                v9 = iconst.i64 0
                v10 = iconst.i64 0
                v11 = iconcat v9, v10  ; v9 = 0, v10 = 0
                v12 = load.i64 notrap aligned readonly can_move v2
                v13 = load.i64 notrap aligned readonly can_move v2+8
                v14 = load.i64 notrap aligned readonly can_move v2+16
                v15 = load.i64 notrap aligned readonly can_move v2+32
                v16 = load.i64 notrap aligned readonly can_move v2+40
                v17 = uextend.i128 v13
                v18 = iadd v11, v17
                v19 = load.i64 notrap aligned readonly can_move v4
                v20 = load.i64 notrap aligned readonly can_move v4+8
                v21 = load.i64 notrap aligned readonly can_move v4+16
                v22 = load.i64 notrap aligned readonly can_move v4+32
                v23 = load.i64 notrap aligned readonly can_move v4+40
                v24 = uextend.i128 v20
                v25 = isub v18, v24
                v26 = iconst.i64 0
                v27 = iconst.i64 0
                v28 = iconcat v26, v27  ; v26 = 0, v27 = 0
                v29 = icmp sge v25, v28
                v30 = iconst.i64 0
                v31 = iconst.i64 0
                v32 = iconcat v30, v31  ; v30 = 0, v31 = 0
                v33 = load.i64 notrap aligned readonly can_move v2
                v34 = load.i64 notrap aligned readonly can_move v2+8
                v35 = load.i64 notrap aligned readonly can_move v2+16
                v36 = load.i64 notrap aligned readonly can_move v2+32
                v37 = load.i64 notrap aligned readonly can_move v2+40
                v38 = uextend.i128 v35
                v39 = isub v32, v38
                v40 = load.i64 notrap aligned readonly can_move v3
                v41 = load.i64 notrap aligned readonly can_move v3+8
                v42 = load.i64 notrap aligned readonly can_move v3+16
                v43 = load.i64 notrap aligned readonly can_move v3+32
                v44 = load.i64 notrap aligned readonly can_move v3+40
                v45 = uextend.i128 v41
                v46 = iadd v39, v45
                v47 = iconst.i64 0
                v48 = iconst.i64 0
                v49 = iconcat v47, v48  ; v47 = 0, v48 = 0
                v50 = icmp sge v46, v49
                v51 = band v29, v50
                v52 = iconst.i64 0
                v53 = iconst.i64 0
                v54 = iconcat v52, v53  ; v52 = 0, v53 = 0
                v55 = load.i64 notrap aligned readonly can_move v3
                v56 = load.i64 notrap aligned readonly can_move v3+8
                v57 = load.i64 notrap aligned readonly can_move v3+16
                v58 = load.i64 notrap aligned readonly can_move v3+32
                v59 = load.i64 notrap aligned readonly can_move v3+40
                v60 = uextend.i128 v57
                v61 = iadd v54, v60
                v62 = load.i64 notrap aligned readonly can_move v4
                v63 = load.i64 notrap aligned readonly can_move v4+8
                v64 = load.i64 notrap aligned readonly can_move v4+16
                v65 = load.i64 notrap aligned readonly can_move v4+32
                v66 = load.i64 notrap aligned readonly can_move v4+40
                v67 = uextend.i128 v64
                v68 = isub v61, v67
                v69 = iconst.i64 0
                v70 = iconst.i64 0
                v71 = iconcat v69, v70  ; v69 = 0, v70 = 0
                v72 = icmp sge v68, v71
                v73 = band v51, v72
                brif v73, block2, block3

            block2:
                v74 = iconst.i64 0
                v75 = load.i64 notrap aligned readonly can_move v4
                v76 = load.i64 notrap aligned readonly can_move v4+8
                v77 = load.i64 notrap aligned readonly can_move v4+16
                v78 = load.i64 notrap aligned readonly can_move v4+32
                v79 = load.i64 notrap aligned readonly can_move v4+40
                v80 = icmp ult v74, v76  ; v74 = 0
                v81 = iconst.i64 -1
                v82 = iadd v76, v81  ; v81 = -1
                brif v80, block5(v74), block7  ; v74 = 0

            block5(v158: i64):
                v106 -> v158
                v166 -> v158
                v115 -> v106
                v159 -> v106
                v83 = iconst.i64 0
                v84 = load.i64 notrap aligned readonly can_move v4
                v85 = load.i64 notrap aligned readonly can_move v4+8
                v86 = load.i64 notrap aligned readonly can_move v4+16
                v87 = load.i64 notrap aligned readonly can_move v4+32
                v88 = load.i64 notrap aligned readonly can_move v4+40
                v89 = icmp ult v83, v86  ; v83 = 0
                v90 = iconst.i64 -1
                v91 = iadd v86, v90  ; v90 = -1
                brif v89, block8(v83), block10  ; v83 = 0

            block8(v108: i64):
                v129 -> v108
                v154 -> v108
                v92 = iconst.i64 0
                v93 = load.i64 notrap aligned readonly can_move v2
                v94 = load.i64 notrap aligned readonly can_move v2+8
                v95 = load.i64 notrap aligned readonly can_move v2+16
                v96 = load.i64 notrap aligned readonly can_move v2+32
                v97 = load.i64 notrap aligned readonly can_move v2+40
                v98 = icmp ult v92, v95  ; v92 = 0
                v99 = iconst.i64 -1
                v100 = iadd v95, v99  ; v99 = -1
                brif v98, block14, block13

            block14:
                v101 = load.i64 notrap aligned readonly can_move v4
                v102 = load.i64 notrap aligned readonly can_move v4+8
                v103 = load.i64 notrap aligned readonly can_move v4+16
                v104 = load.i64 notrap aligned readonly can_move v4+32
                v105 = load.i64 notrap aligned readonly can_move v4+40
                v107 = imul.i64 v106, v104
                v109 = imul.i64 v108, v105
                v110 = iadd v107, v109
                v111 = iconst.i64 8
                v112 = imul v110, v111  ; v111 = 8
                v113 = iadd v101, v112
                v114 = load.f64 notrap aligned v113
                jump block11(v92, v114)  ; v92 = 0

            block11(v116: i64, v143: f64):
                v117 = load.i64 notrap aligned readonly can_move v2
                v118 = load.i64 notrap aligned readonly can_move v2+8
                v119 = load.i64 notrap aligned readonly can_move v2+16
                v120 = load.i64 notrap aligned readonly can_move v2+32
                v121 = load.i64 notrap aligned readonly can_move v2+40
                v122 = imul.i64 v115, v120
                v123 = imul v116, v121
                v124 = iadd v122, v123
                v125 = iconst.i64 8
                v126 = imul v124, v125  ; v125 = 8
                v127 = iadd v117, v126
                v128 = load.f64 notrap aligned v127
                v130 = load.i64 notrap aligned readonly can_move v3
                v131 = load.i64 notrap aligned readonly can_move v3+8
                v132 = load.i64 notrap aligned readonly can_move v3+16
                v133 = load.i64 notrap aligned readonly can_move v3+32
                v134 = load.i64 notrap aligned readonly can_move v3+40
                v135 = imul v116, v133
                v136 = imul.i64 v129, v134
                v137 = iadd v135, v136
                v138 = iconst.i64 8
                v139 = imul v137, v138  ; v138 = 8
                v140 = iadd v130, v139
                v141 = load.f64 notrap aligned v140
                v142 = fmul v128, v141
                v144 = fadd v143, v142
                store notrap aligned v144, v113
                jump block12

            block12:
                v145 = iconst.i64 1
                v146 = iadd.i64 v116, v145  ; v145 = 1
                v147 = icmp eq v146, v95
                brif v147, block13, block11(v146, v144)

            block13:
                jump block9

            block9:
                v148 = load.i32 notrap aligned v5
                v149 = iconst.i32 0
                v150 = icmp ne v148, v149  ; v149 = 0
                v151 = uextend.i64 v148
                v152 = iconst.i64 0
                brif v150, block15, block16

            block15 cold:
                v153 = iconst.i32 0
                store notrap aligned v153, v0  ; v153 = 0
                store.i64 notrap aligned v151, v0+8
                store.i64 notrap aligned v152, v0+16  ; v152 = 0
                jump block1

            block16:
                v155 = iconst.i64 1
                v156 = iadd.i64 v108, v155  ; v155 = 1
                v157 = icmp eq v156, v86
                brif v157, block10, block8(v156)

            block10:
                jump block6

            block6:
                v160 = load.i32 notrap aligned v5
                v161 = iconst.i32 0
                v162 = icmp ne v160, v161  ; v161 = 0
                v163 = uextend.i64 v160
                v164 = iconst.i64 0
                brif v162, block17, block18

            block17 cold:
                v165 = iconst.i32 1
                store notrap aligned v165, v0  ; v165 = 1
                store.i64 notrap aligned v163, v0+8
                store.i64 notrap aligned v164, v0+16  ; v164 = 0
                jump block1

            block18:
                v167 = iconst.i64 1
                v168 = iadd.i64 v158, v167  ; v167 = 1
                v169 = icmp eq v168, v76
                brif v169, block7, block5(v168)

            block7:
                jump block4

            block3:
                v170 = iconst.i64 0
                v171 = load.i64 notrap aligned readonly can_move v4
                v172 = load.i64 notrap aligned readonly can_move v4+8
                v173 = load.i64 notrap aligned readonly can_move v4+16
                v174 = load.i64 notrap aligned readonly can_move v4+32
                v175 = load.i64 notrap aligned readonly can_move v4+40
                v176 = icmp ult v170, v172  ; v170 = 0
                v177 = iconst.i64 -1
                v178 = iadd v172, v177  ; v177 = -1
                brif v176, block19(v170), block21  ; v170 = 0

            block19(v260: i64):
                v202 -> v260
                v268 -> v260
                v211 -> v202
                v261 -> v202
                v179 = iconst.i64 0
                v180 = load.i64 notrap aligned readonly can_move v4
                v181 = load.i64 notrap aligned readonly can_move v4+8
                v182 = load.i64 notrap aligned readonly can_move v4+16
                v183 = load.i64 notrap aligned readonly can_move v4+32
                v184 = load.i64 notrap aligned readonly can_move v4+40
                v185 = icmp ult v179, v182  ; v179 = 0
                v186 = iconst.i64 -1
                v187 = iadd v182, v186  ; v186 = -1
                brif v185, block22(v179), block24  ; v179 = 0

            block22(v204: i64):
                v227 -> v204
                v256 -> v204
                v188 = iconst.i64 0
                v189 = load.i64 notrap aligned readonly can_move v2
                v190 = load.i64 notrap aligned readonly can_move v2+8
                v191 = load.i64 notrap aligned readonly can_move v2+16
                v192 = load.i64 notrap aligned readonly can_move v2+32
                v193 = load.i64 notrap aligned readonly can_move v2+40
                v194 = icmp ult v188, v191  ; v188 = 0
                v195 = iconst.i64 -1
                v196 = iadd v191, v195  ; v195 = -1
                brif v194, block28, block27

            block28:
                v197 = load.i64 notrap aligned readonly can_move v4
                v198 = load.i64 notrap aligned readonly can_move v4+8
                v199 = load.i64 notrap aligned readonly can_move v4+16
                v200 = load.i64 notrap aligned readonly can_move v4+32
                v201 = load.i64 notrap aligned readonly can_move v4+40
                v203 = imul.i64 v202, v200
                v205 = imul.i64 v204, v201
                v206 = iadd v203, v205
                v207 = iconst.i64 8
                v208 = imul v206, v207  ; v207 = 8
                v209 = iadd v197, v208
                v210 = load.f64 notrap aligned v209
                jump block25(v188, v210)  ; v188 = 0

            block25(v212: i64, v245: f64):
                v213 = load.i64 notrap aligned readonly can_move v2
                v214 = load.i64 notrap aligned readonly can_move v2+8
                v215 = load.i64 notrap aligned readonly can_move v2+16
                v216 = load.i64 notrap aligned readonly can_move v2+32
                v217 = load.i64 notrap aligned readonly can_move v2+40
                v218 = icmp.i64 uge v211, v214
                brif v218, block29, block30

            block29 cold:
                v219 = iconst.i32 2
                store notrap aligned v219, v0  ; v219 = 2
                store.i64 notrap aligned v211, v0+8
                store.i64 notrap aligned v214, v0+16
                jump block1

            block30:
                v220 = imul.i64 v211, v216
                v221 = imul.i64 v212, v217
                v222 = iadd v220, v221
                v223 = iconst.i64 8
                v224 = imul v222, v223  ; v223 = 8
                v225 = iadd.i64 v213, v224
                v226 = load.f64 notrap aligned v225
                v228 = load.i64 notrap aligned readonly can_move v3
                v229 = load.i64 notrap aligned readonly can_move v3+8
                v230 = load.i64 notrap aligned readonly can_move v3+16
                v231 = load.i64 notrap aligned readonly can_move v3+32
                v232 = load.i64 notrap aligned readonly can_move v3+40
                v233 = icmp.i64 uge v212, v229
                brif v233, block31, block32

            block31 cold:
                v234 = iconst.i32 3
                store notrap aligned v234, v0  ; v234 = 3
                store.i64 notrap aligned v212, v0+8
                store.i64 notrap aligned v229, v0+16
                jump block1

            block32:
                v235 = icmp.i64 uge v227, v230
                brif v235, block33, block34

            block33 cold:
                v236 = iconst.i32 4
                store notrap aligned v236, v0  ; v236 = 4
                store.i64 notrap aligned v227, v0+8
                store.i64 notrap aligned v230, v0+16
                jump block1

            block34:
                v237 = imul.i64 v212, v231
                v238 = imul.i64 v227, v232
                v239 = iadd v237, v238
                v240 = iconst.i64 8
                v241 = imul v239, v240  ; v240 = 8
                v242 = iadd.i64 v228, v241
                v243 = load.f64 notrap aligned v242
                v244 = fmul.f64 v226, v243
                v246 = fadd.f64 v245, v244
                store notrap aligned v246, v209
                jump block26

            block26:
                v247 = iconst.i64 1
                v248 = iadd.i64 v212, v247  ; v247 = 1
                v249 = icmp eq v248, v191
                brif v249, block27, block25(v248, v246)

            block27:
                jump block23

            block23:
                v250 = load.i32 notrap aligned v5
                v251 = iconst.i32 0
                v252 = icmp ne v250, v251  ; v251 = 0
                v253 = uextend.i64 v250
                v254 = iconst.i64 0
                brif v252, block35, block36

            block35 cold:
                v255 = iconst.i32 5
                store notrap aligned v255, v0  ; v255 = 5
                store.i64 notrap aligned v253, v0+8
                store.i64 notrap aligned v254, v0+16  ; v254 = 0
                jump block1

            block36:
                v257 = iconst.i64 1
                v258 = iadd.i64 v204, v257  ; v257 = 1
                v259 = icmp eq v258, v182
                brif v259, block24, block22(v258)

            block24:
                jump block20

            block20:
                v262 = load.i32 notrap aligned v5
                v263 = iconst.i32 0
                v264 = icmp ne v262, v263  ; v263 = 0
                v265 = uextend.i64 v262
                v266 = iconst.i64 0
                brif v264, block37, block38

            block37 cold:
                v267 = iconst.i32 6
                store notrap aligned v267, v0  ; v267 = 6
                store.i64 notrap aligned v265, v0+8
                store.i64 notrap aligned v266, v0+16  ; v266 = 0
                jump block1

            block38:
                v269 = iconst.i64 1
                v270 = iadd.i64 v260, v269  ; v269 = 1
                v271 = icmp eq v270, v172
                brif v271, block21, block19(v270)

            block21:
                jump block4

            block4:
                v272 = iconst.i8 0
                return v272  ; v272 = 0

            block1 cold:
                v273 = iconst.i8 1
                return v273  ; v273 = 1
            }
        "#]],
    );
}
