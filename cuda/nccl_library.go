package cuda

// NCCLLibrary is the shared object NCCL is loaded from, at run time.
const NCCLLibrary = "libnccl.so.2"
