#!/usr/bin/env python3
"""Lists pairs of crate files that import each other; exits 1 if any.

For each library file under src/ (main.rs is the binary's root and left
out), the crate files its `use` declarations name (`crate::`, `super::`,
`self::` and child-module paths, each resolved to the file of the deepest
module it names) and the inline qualified paths in its code (`super::x::f`,
`crate::a::b`). A `mod` declaration is not an import. Everything from a
file's first `#[cfg(test)] mod` on is left out: tests may reach anywhere.

    python3 scripts/import-cycles.py [src]
"""
import os, re, sys, itertools
root = sys.argv[1] if len(sys.argv) > 1 else 'src'
files = {}  # module path tuple -> file
for d, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p = os.path.relpath(os.path.join(d, f), root)
        parts = p[:-3].split(os.sep)
        if parts[-1] in ('mod', 'lib', 'main'): parts = parts[:-1]
        if p == 'main.rs': continue  # the binary's root, not the library
        files[tuple(parts)] = p

def strip_tests(text):
    m = re.search(r'#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{', text)
    text = text[:m.start()] if m else text
    text = re.sub(r'//[^\n]*', '', text)
    return text

def expand(tree):
    """Expands a use tree `a::{b, c::{d}}` into paths."""
    tree = tree.strip()
    i = tree.find('{')
    if i < 0:
        return [re.sub(r'\s+as\s+\w+$', '', tree).strip()]
    prefix, body = tree[:i], tree[i+1:tree.rfind('}')]
    items, depth, cur = [], 0, ''
    for ch in body:
        if ch == ',' and depth == 0: items.append(cur); cur = ''; continue
        depth += ch == '{'; depth -= ch == '}'; cur += ch
    items.append(cur)
    out = []
    for it in items:
        if it.strip(): out += [prefix + e for e in expand(it)]
    return out

def resolve(mod, path):
    segs = [s for s in path.split('::') if s]
    if not segs: return None
    if segs[0] == 'crate': base, segs = [], segs[1:]
    elif segs[0] in ('super', 'self'):
        base = list(mod)
        # a file's own module: self = mod; super = parent
        while segs and segs[0] in ('super', 'self'):
            if segs[0] == 'super': base = base[:-1]
            segs = segs[1:]
    else:
        # bare path: a child module of this one, or a sibling via 2018 uniform paths (not used here)
        base = list(mod)
        if tuple(base + segs[:1]) not in files: return None
    best = None
    for k in range(len(segs), -1, -1):
        cand = tuple(base + segs[:k])
        if cand in files: best = cand; break
    return best

deps = {}
for mod, f in files.items():
    text = strip_tests(open(os.path.join(root, f)).read())
    ds = set()
    for m in re.finditer(r'\buse\s+([^;]+);', text):
        for p in expand(m.group(1)):
            r = resolve(mod, p)
            if r is not None and r != mod: ds.add(r)
    for m in re.finditer(r'\b((?:crate|super)(?:::\w+)+)', text):
        r = resolve(mod, m.group(1))
        if r is not None and r != mod: ds.add(r)
    deps[mod] = ds

pairs = sorted({tuple(sorted((files[a], files[b]))) for a in deps for b in deps[a] if a in deps.get(b, ())})
for a, b in pairs: print(f'{a} <-> {b}')
print(f'{len(pairs)} pairs of files import each other, among {len(files)}', file=sys.stderr)
sys.exit(1 if pairs else 0)
