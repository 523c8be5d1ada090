"""The ZV* vector sub-extensions in the ISA tables and the ISA-string parser (issue 6).

The expansion of the bundles (id-less entries, like the Zvl<N>b ones) and the dependency
rules (zvk.adoc "Extensions Overview"; spec-facts 4.8 and 5).
"""
import dataclasses

import pytest

from rvemu.errors import IsaStringError
from rvemu.isa import extensions
from rvemu.isa.extensions import BUNDLES, BY_NAME, EXT_BIT, EXTENSIONS
from rvemu.isa.isastring import parse_isa

ZV = ("zvbb", "zvbc", "zvkb", "zvkg", "zvkned", "zvknha", "zvknhb", "zvksed", "zvksh", "zvkt")


def test_every_sub_extension_is_in_the_table():
    for name in ZV:
        assert name in BY_NAME, name
        assert not BY_NAME[name].misa
    assert len({e.name for e in EXTENSIONS}) == len(EXTENSIONS), "duplicate extension names"


def test_mask_fits_in_64_bits():
    with_bit = [e for e in EXTENSIONS if not e.bundle]
    assert len(with_bit) <= 64, f"{len(with_bit)} extensions do not fit the 64-bit mask"
    assert max(EXT_BIT.values()) < 64


def test_requirements_as_the_spec_says():
    for name in ("zvbb", "zvkb", "zvkg", "zvkned", "zvknha", "zvksed", "zvksh"):
        assert BY_NAME[name].requires == ("zve32x",), name
    for name in ("zvbc", "zvknhb"):
        assert BY_NAME[name].requires == ("zve64x",), name
    # zvk.adoc: "All of the other Vector Crypto Extensions [Zvkt included] depend on Zve32x"
    assert BY_NAME["zvkt"].requires == ("zve32x",)
    assert "zvkb" in BY_NAME["zvbb"].implies       # Zvbb is a superset of Zvkb
    assert "zvknha" in BY_NAME["zvknhb"].implies   # Zvknhb is a superset of Zvknha
    every = {r for e in EXTENSIONS for r in e.requires + e.implies}
    assert every <= set(BY_NAME), every - set(BY_NAME)


def test_bundles_take_no_mask_bit_and_name_real_members():
    assert set(BUNDLES) == {"zvkn", "zvknc", "zvkng", "zvks", "zvksc", "zvksg"}
    for bundle, members in BUNDLES.items():
        assert bundle not in EXT_BIT and BY_NAME[bundle].bundle
        assert BY_NAME[bundle].implies == members
        assert set(members) <= set(BY_NAME)
    assert extensions.BUNDLES["zvknc"] == BUNDLES["zvkn"] + ("zvbc",)
    assert extensions.BUNDLES["zvksg"] == BUNDLES["zvks"] + ("zvkg",)


@pytest.mark.parametrize("bundle,want", [
    ("zvkn", {"zvkned", "zvknhb", "zvknha", "zvkb", "zvkt"}),
    ("zvknc", {"zvkned", "zvknhb", "zvknha", "zvkb", "zvkt", "zvbc"}),
    ("zvkng", {"zvkned", "zvknhb", "zvknha", "zvkb", "zvkt", "zvkg"}),
    ("zvks", {"zvksed", "zvksh", "zvkb", "zvkt"}),
    ("zvksc", {"zvksed", "zvksh", "zvkb", "zvkt", "zvbc"}),
    ("zvksg", {"zvksed", "zvksh", "zvkb", "zvkt", "zvkg"}),
])
def test_bundles_expand_to_their_members(bundle, want):
    isa = parse_isa(f"rv64gc_zve32x_zve64x_{bundle}")
    zv = {n for n in isa.names if n.startswith("zv") and not n.startswith(("zve", "zvl"))
          and not BY_NAME[n].bundle}
    assert zv == want
    assert bundle in isa.names
    plain = parse_isa("rv64gc_zve32x_zve64x_" + "_".join(sorted(want)))
    assert isa.mask == plain.mask


def test_bundles_with_only_zve32x():
    assert "zvksed" in parse_isa("rv64gc_zve32x_zvks")
    assert "zvkg" in parse_isa("rv64gc_zve32x_zvksg")
    for bundle in ("zvkn", "zvknc", "zvkng", "zvksc"):  # these need Zve64x
        with pytest.raises(IsaStringError, match=rf"from '{bundle}'.*requires 'zve64x'"):
            parse_isa(f"rv64gc_zve32x_{bundle}")


@pytest.mark.parametrize("name,needs", [("zvbc", "zve64x"), ("zve32x_zvknhb", "zve64x"),
                                        ("zvbb", "zve32x"), ("zvkned", "zve32x"),
                                        ("zvksh", "zve32x"), ("zvkg", "zve32x")])
def test_dependency_errors_are_clear(name, needs):
    ext = name.rpartition("_")[2]
    with pytest.raises(IsaStringError, match=rf"extension '{ext}' requires '{needs}'"):
        parse_isa(f"rv64gc_{name}")


def test_implications():
    isa = parse_isa("rv64gc_zve32x_zvbb")
    assert {"zvbb", "zvkb"} <= isa.names
    isa = parse_isa("rv64gc_zve32x_zve64x_zvknhb")
    assert {"zvknha", "zvknhb"} <= isa.names
    assert "zvkt" in parse_isa("rv64gc_zve32x_zvkt")
    with pytest.raises(IsaStringError, match="'zvkt' requires 'zve32x'"):
        parse_isa("rv64gc_zvkt")
