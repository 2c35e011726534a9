#!/usr/bin/env python3
"""bench/sql-of.py FILE.c PIECE[+PIECE...] [{MARK}=PIECE ...] [N=SQL ...]
-- print the SQL statement a route of FILE.c runs, for pgbench: the pieces
concatenated, each the C string array NAME or NAME[k], the k-th string
(counting from 0) of the initializer of array NAME (after the
preprocessor, so macros are expanded); each marker {MARK} the module
fills in at run time (clients_list_reply: {BY}, {CURSOR}, {AFTER})
replaced by the piece given for it (absent ones: nothing); then each
parameter $N replaced by the SQL text given for it (absent ones:
NULL)."""
import ast
import re
import subprocess
import sys

src, pieces, *subs = sys.argv[1:]
out = subprocess.run(['cc', '-E', '-P', '-D_GNU_SOURCE', '-Icore', src],
                     check=True, capture_output=True, text=True).stdout


def strings(name):
    """The strings of NAME's initializer, adjacent literals joined."""
    m = re.search(r'\b' + re.escape(name) + r'\s*(\[[^=]*\])?\s*=(.*?);',
                  out, re.S)
    if not m:
        sys.exit(f'{name} not found in {src}')
    res, cur = [], None
    for tok in re.finditer(r'"((?:[^"\\]|\\.)*)"|([^\s"]+)', m.group(2)):
        if tok.group(1) is not None:
            s = ast.literal_eval('"' + tok.group(1) + '"')
            cur = s if cur is None else cur + s
        elif cur is not None:
            res.append(cur)
            cur = None
    if cur is not None:
        res.append(cur)
    return res


def piece_sql(pieces):
    """The pieces P1+P2+... concatenated."""
    sql = ''
    for piece in pieces.split('+'):
        m = re.fullmatch(r'(\w+)(?:\[(\d+)\])?', piece)
        found = strings(m.group(1))
        sql += found[int(m.group(2))] if m.group(2) else ''.join(found)
    return sql


sql = piece_sql(pieces)
params = dict(s.split('=', 1) for s in subs)
for mark in re.findall(r'\{[A-Z]+\}', sql):
    sql = sql.replace(mark, piece_sql(params[mark]) if mark in params else '')
sql = re.sub(r'\$(\d+)', lambda x: params.get(x.group(1), '(NULL::text)'), sql)
print(sql + ';')
