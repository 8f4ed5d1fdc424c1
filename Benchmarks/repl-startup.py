#!/usr/bin/env python3
"""Time from spawning tally on a pseudo-terminal to its first prompt (25 runs)."""
import os, pty, sys, time, select, statistics
binp = sys.argv[1]; db = sys.argv[2]
times=[]
for i in range(25):
    t0=time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ['HOME']='/tmp/ptyhome'; os.environ['TERM']='xterm'
        os.execv(binp, ['tally','--db',db])
    buf=b''
    while b'tally> ' not in buf:
        r,_,_=select.select([fd],[],[],2)
        if not r: break
        buf+=os.read(fd,4096)
    times.append((time.perf_counter()-t0)*1000)
    os.write(fd,b'\x04'); os.waitpid(pid,0); os.close(fd)
times.sort()
print("first-prompt ms: min %.1f median %.1f p90 %.1f max %.1f" % (times[0], statistics.median(times), times[int(len(times)*0.9)], times[-1]))
