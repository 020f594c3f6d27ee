# Runs a command on a pseudo-terminal, waits for PROMPT, types ANSWER and a newline, and prints
# everything the terminal showed; exits with the command's exit code.
# Usage: python3 pty_answer.py PROMPT ANSWER COMMAND [ARGS...]
import os
import pty
import select
import sys
import time

prompt, answer, command = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(command[0], command)
shown = b""


def pump(until, seconds):
    global shown
    end = time.time() + seconds
    while time.time() < end and (until is None or until not in shown):
        if not select.select([fd], [], [], max(0.0, end - time.time()))[0]:
            return
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return
        if not chunk:
            return
        shown += chunk


pump(prompt, 20)
os.write(fd, answer + b"\n")
pump(None, 20)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(shown)
sys.exit(os.waitstatus_to_exitcode(status))
