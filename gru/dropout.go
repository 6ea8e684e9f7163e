package gru

// Dropout is the dropout a Stack applies to the output of every layer but the last
// (as nn.GRU's dropout argument), in the passes run after Stack.SetDropout: each
// element is zeroed with probability P and the others scaled by 1/(1−P), and
// Backward applies the same mask to the gradient.
//
// The masks are drawn by Ops.Dropout from a counter-based generator,
// Philox4x32-10, keyed by Seed, with the step number read from Step on the
// backend and the layer as the stream (the output of layer l is stream l+1;
// stream 0 is left for the input). A mask is a function of (Seed, stream, step,
// element) alone, so every backend draws the same mask, a recorded pass replays
// with the step number written since, and a run resumed at a step draws what it
// would have drawn.
type Dropout struct {
	P    float64 // probability of dropping an element, in [0, 1); 0 turns dropout off
	Seed uint64  // keys the generator
	Step IDs     // one id on the stack's backend: the step number, read when a pass runs
}
