package memstore_test

import (
	"testing"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/eventbus/kvtest"
	"github.com/switchyard/switchyard/internal/memstore"
)

func TestKV(t *testing.T) {
	kvtest.Run(t, func(*testing.T) eventbus.KV { return memstore.NewKV() })
}
