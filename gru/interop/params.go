package interop

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// checkParams refuses nil or malformed parameters before a conversion indexes them.
func checkParams(op string, p *gru.Params) error {
	if p == nil {
		return fmt.Errorf("gru: %s: nil params", op)
	}
	if err := p.Config.Validate(); err != nil {
		return fmt.Errorf("gru: %s: %w", op, err)
	}
	return p.Check(p.Config)
}
