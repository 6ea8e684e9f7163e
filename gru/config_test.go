package gru

import (
	"math"
	"strings"
	"testing"
	"time"
)

// ParamCount agrees with the parameters NewParams allocates, and sizes any
// configuration at once; Validate and NewParams refuse what cannot be addressed
// or held, with true figures, and never panic.
func TestParamCountAndHugeConfigs(t *testing.T) {
	for _, cfg := range []Config{
		{InputSize: 3, HiddenSize: 4, Layers: 1},
		{InputSize: 3, HiddenSize: 4, Layers: 3, Bidirectional: true},
		{InputSize: 28, HiddenSize: 7, Layers: 2, Variant: ResetAfter},
	} {
		p, err := NewParams(cfg)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range p.Flat() {
			n += len(s)
		}
		if got := cfg.ParamCount(); got != float64(n) {
			t.Errorf("%+v: ParamCount %v, NewParams holds %d", cfg, got, n)
		}
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{InputSize: 1, HiddenSize: math.MaxInt, Layers: 1}, "e+"},
		{Config{InputSize: math.MaxInt, HiddenSize: 1, Layers: 1}, "parameters"},
		{Config{InputSize: 1, HiddenSize: 1, Layers: math.MaxInt, Bidirectional: true}, "parameters"},
		{Config{InputSize: 1 << 40, HiddenSize: 1 << 40, Layers: 1 << 40}, "parameters"},
		{Config{InputSize: 1, HiddenSize: 1 << 20, Layers: 100}, "memory"},
	} {
		start := time.Now()
		_, err := NewParams(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), " -") {
			t.Errorf("%+v: %v, want an error with %q", c.cfg, err, c.want)
		}
		if _, err := InitParams(c.cfg, InitPyTorch, NewRand(1)); err == nil {
			t.Errorf("%+v: InitParams accepted it", c.cfg)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%+v: refusing took %v", c.cfg, d)
		}
	}
	if _, err := InitParams(Config{InputSize: 1, HiddenSize: 1, Layers: 1}, InitPyTorch, nil); err == nil {
		t.Error("InitParams with a nil source: no error")
	}
}
