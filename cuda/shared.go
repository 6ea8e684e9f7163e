package cuda

// A block's shared memory is the dynamic bytes its launch asks for plus the
// static bytes its kernel declares (__shared__ arrays). The driver holds the two
// together to the device's limit, and to 48 KiB unless the kernel opted in to
// more dynamic memory. planPersistent and allowShared count both.

// defaultSharedPerBlock is the shared memory, dynamic and static together, a
// block may have before its function opts in to more
// (CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES).
const defaultSharedPerBlock = 48 << 10

// needsOptIn reports whether a block of a kernel with static bytes of static
// shared memory and dynamic bytes of dynamic shared memory passes the 48 KiB
// that needs no opt-in.
func needsOptIn(static, dynamic int) bool { return static+dynamic > defaultSharedPerBlock }

// simStaticShared is the simulator's static shared memory of every kernel: 1 KiB,
// what cuobjdump -res-usage shows for each sm_90 kernel of the committed fatbin,
// so that plans on the simulator leave the room a GPU needs.
const simStaticShared = 1 << 10
