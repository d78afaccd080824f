package headers

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDefectErr(t *testing.T) {
	tests := []struct {
		d    Defect
		want error
	}{
		{0, nil},
		{DefectNUL, ErrNUL},
		{DefectBareLF | DefectNoColon, ErrBareLF},
		{DefectLeadingContinuation, ErrLeadingContinuation},
		{DefectSpaceBeforeColon, ErrSpaceBeforeColon},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.d.Err())
	}
}

func TestOptionsResolved(t *testing.T) {
	o := Options{}.resolved()
	assert.Equal(t, Options{MaxLineLength: 998, MaxFields: 1000, MaxHeaderBytes: 256 << 10}, o)
	o = Options{MaxLineLength: 2000, MaxFields: 5, MaxHeaderBytes: 10, Repair: AllDefects}.resolved()
	assert.Equal(t, Options{MaxLineLength: 2000, MaxFields: 5, MaxHeaderBytes: 10, Repair: AllDefects}, o)
}
