package device

// A block's shared memory is the dynamic bytes its launch asks for plus the
// static bytes its kernel declares (__shared__ arrays). The driver holds the two
// together to the device's limit, and to 48 KiB unless the kernel opted in to
// more dynamic memory. Package cuda's planPersistent and each device's AllowShared count both.

// DefaultSharedPerBlock is the shared memory, dynamic and static together, a
// block may have before its function opts in to more
// (CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES).
const DefaultSharedPerBlock = 48 << 10

// NeedsOptIn reports whether a block of a kernel with static bytes of static
// shared memory and dynamic bytes of dynamic shared memory passes the 48 KiB
// that needs no opt-in.
func NeedsOptIn(static, dynamic int) bool { return static+dynamic > DefaultSharedPerBlock }
