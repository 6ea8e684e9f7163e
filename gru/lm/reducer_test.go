package lm_test

import (
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
	"github.com/gogru/gogru/internal/record"
)

// recordingCPU is a CPU backend with a Recorder that keeps the body it is given
// and runs it at each Replay, counting the recordings and marking the replays, so
// that a test sees which work a Trainer puts inside a recording.
type recordingCPU struct {
	gru.Backend
	records   int
	replaying bool
}

var _ = record.Register(func(be any) (record.Recorder, bool) {
	r, ok := be.(*recordingCPU)
	return r, ok
})

func (r *recordingCPU) Record(body func() error) (record.Recording, error) {
	r.records++
	return &cpuRecording{r, body}, nil
}

// cpuRecording is a recordingCPU's recording.
type cpuRecording struct {
	be   *recordingCPU
	body func() error
}

func (c *cpuRecording) Replay() error {
	c.be.replaying = true
	defer func() { c.be.replaying = false }()
	return c.body()
}

func (c *cpuRecording) Close() error { return nil }

// deviceOnlyReducer is a HostReducer that claims to be device work alone.
type deviceOnlyReducer struct{ *lm.HostReducer }

func (deviceOnlyReducer) DeviceOnly() bool { return true }

// TestReducerInsideRecording checks where a Trainer runs its Reducer on a backend
// that records: a Reducer without record.DeviceOnly (HostReducer) runs between two
// recordings, outside any replay; one that reports DeviceOnly is held inside the
// step's one recording. The losses are the same either way.
func TestReducerInsideRecording(t *testing.T) {
	const V, T, B, steps = 5, 3, 2, 4
	var losses [2][]float64
	for i, deviceOnly := range []bool{false, true} {
		be := &recordingCPU{Backend: cpu.New64()}
		m, err := lm.New(be, lm.Config{Vocab: V, GRU: gru.Config{InputSize: V, HiddenSize: 4, Layers: 1}}, gru.NewRand(5))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := lm.NewTrainer(m, &optim.SGD{LR: 0.5}, 0)
		if err != nil {
			t.Fatal(err)
		}
		calls, inside := 0, 0
		host := &lm.HostReducer{Processes: 1, Sum: func([]float64) error {
			calls++
			if be.replaying {
				inside++
			}
			return nil
		}}
		tr.Reducer = host
		if deviceOnly {
			tr.Reducer = deviceOnlyReducer{host}
		}
		rng := gru.NewRand(6)
		for range steps {
			in, tg := make([]int32, T*B), make([]int32, T*B)
			for j := range in {
				in[j], tg[j] = int32(rng.IntN(V)), int32(rng.IntN(V))
			}
			m.ResetState() // one key: every step starts from zeros
			loss, err := tr.Step(in, tg, T, B)
			if err != nil {
				t.Fatal(err)
			}
			losses[i] = append(losses[i], loss)
		}
		wantRecords, wantInside := 2, 0 // the first step runs eagerly, the second records
		if deviceOnly {
			wantRecords, wantInside = 1, steps-1
		}
		if be.records != wantRecords || calls != steps || inside != wantInside {
			t.Errorf("DeviceOnly %v: %d recordings, %d reductions, %d inside a replay; want %d, %d, %d",
				deviceOnly, be.records, calls, inside, wantRecords, steps, wantInside)
		}
		tr.Close()
		m.Close()
		be.Close()
	}
	for s := range losses[0] {
		if losses[0][s] != losses[1][s] {
			t.Errorf("step %d: loss %v with the reduction between recordings, %v inside", s, losses[0][s], losses[1][s])
		}
	}
}
