package cpu_test

import (
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

func TestConformance64(t *testing.T) {
	grutest.Run(t, func() (gru.Backend, error) { return cpu.New64(), nil })
}

func TestConformance32(t *testing.T) {
	grutest.Run(t, func() (gru.Backend, error) { return cpu.New32(), nil })
}
