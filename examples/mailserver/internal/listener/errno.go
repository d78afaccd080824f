package listener

import "syscall"

// syscallEMFILE: out of file descriptors; accepting again later may work.
var syscallEMFILE = syscall.EMFILE
