/* One small function per Zvbb/Zvkb/Zvbc instruction form, unmasked and masked (v0.t):
 *   zt_<form>[_m](a0 = vtype, a1 = vl, a2 = vs2 buffer, a3 = vs1 buffer or x[rs1],
 *                 a4 = vd buffer (old value in, result out), a5 = mask buffer)
 * Buffers are 128 bytes; registers move with whole-register loads/stores (independent of
 * vtype), vd as a two-register group (v16-v17) for the widening vwsll. */
    .text

.macro ZT_PROLOGUE
    vsetvl zero, a1, a0
    vl1re8.v v8, (a2)
    vl2re8.v v16, (a4)
    vl1re8.v v0, (a5)
.endm

.macro ZT_VV name, insn
    .globl zt_\name
zt_\name:
    ZT_PROLOGUE
    vl1re8.v v12, (a3)
    \insn v16, v8, v12
    vs2r.v v16, (a4)
    ret
    .globl zt_\name\()_m
zt_\name\()_m:
    ZT_PROLOGUE
    vl1re8.v v12, (a3)
    \insn v16, v8, v12, v0.t
    vs2r.v v16, (a4)
    ret
.endm

.macro ZT_VX name, insn
    .globl zt_\name
zt_\name:
    ZT_PROLOGUE
    \insn v16, v8, a3
    vs2r.v v16, (a4)
    ret
    .globl zt_\name\()_m
zt_\name\()_m:
    ZT_PROLOGUE
    \insn v16, v8, a3, v0.t
    vs2r.v v16, (a4)
    ret
.endm

.macro ZT_VI name, insn, imm
    .globl zt_\name
zt_\name:
    ZT_PROLOGUE
    \insn v16, v8, \imm
    vs2r.v v16, (a4)
    ret
    .globl zt_\name\()_m
zt_\name\()_m:
    ZT_PROLOGUE
    \insn v16, v8, \imm, v0.t
    vs2r.v v16, (a4)
    ret
.endm

.macro ZT_V name, insn
    .globl zt_\name
zt_\name:
    ZT_PROLOGUE
    \insn v16, v8
    vs2r.v v16, (a4)
    ret
    .globl zt_\name\()_m
zt_\name\()_m:
    ZT_PROLOGUE
    \insn v16, v8, v0.t
    vs2r.v v16, (a4)
    ret
.endm

    ZT_VV vandn_vv, vandn.vv
    ZT_VX vandn_vx, vandn.vx
    ZT_V  vbrev_v, vbrev.v
    ZT_V  vbrev8_v, vbrev8.v
    ZT_V  vrev8_v, vrev8.v
    ZT_V  vclz_v, vclz.v
    ZT_V  vctz_v, vctz.v
    ZT_V  vcpop_v, vcpop.v
    ZT_VV vrol_vv, vrol.vv
    ZT_VX vrol_vx, vrol.vx
    ZT_VV vror_vv, vror.vv
    ZT_VX vror_vx, vror.vx
    ZT_VI vror_vi3, vror.vi, 3
    ZT_VI vror_vi61, vror.vi, 61
    ZT_VV vwsll_vv, vwsll.vv
    ZT_VX vwsll_vx, vwsll.vx
    ZT_VI vwsll_vi3, vwsll.vi, 3
    ZT_VI vwsll_vi31, vwsll.vi, 31
    ZT_VV vclmul_vv, vclmul.vv
    ZT_VX vclmul_vx, vclmul.vx
    ZT_VV vclmulh_vv, vclmulh.vv
    ZT_VX vclmulh_vx, vclmulh.vx
