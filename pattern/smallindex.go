package pattern

// Most states of a large automaton have one child and most value matchers
// one exact string (a rule's own last fields), so both indexes below keep a
// short slice, searched in order, and switch to a map only when they grow
// past maxSmall entries. A map with one entry costs some 250-400 bytes; a
// slice entry 24-40.

// maxSmall is how many entries a childIndex or strIndex keeps in a slice.
const maxSmall = 8

// A childIndex maps field keys to the child states they lead to.
type childIndex struct {
	list []childRef // while len(m) == 0
	m    map[string]int32
}

type childRef struct {
	key string
	id  int32
}

// get returns the child under k; c may be nil.
func (c *childIndex) get(k string) (int32, bool) {
	if c == nil {
		return 0, false
	}
	if c.m != nil {
		id, ok := c.m[k]
		return id, ok
	}
	for i := range c.list {
		if c.list[i].key == k {
			return c.list[i].id, true
		}
	}
	return 0, false
}

// set adds k, which the index does not hold.
func (c *childIndex) set(k string, id int32) {
	if c.m == nil && len(c.list) < maxSmall {
		c.list = append(c.list, childRef{k, id})
		return
	}
	if c.m == nil {
		c.m = make(map[string]int32, len(c.list)+1)
		for _, r := range c.list {
			c.m[r.key] = r.id
		}
		c.list = nil
	}
	c.m[k] = id
}

func (c *childIndex) del(k string) {
	if c.m != nil {
		delete(c.m, k)
		return
	}
	for i := range c.list {
		if c.list[i].key == k {
			c.list = append(c.list[:i], c.list[i+1:]...)
			if len(c.list) == 0 {
				c.list = nil
			}
			return
		}
	}
}

// A strIndex maps exact strings to lists of child states.
type strIndex struct {
	list []strRef // while m is nil
	m    map[string][]int32
}

type strRef struct {
	key  string
	kids []int32
}

// lookup appends the children listed under s.
func (x *strIndex) lookup(s []byte, out []int32) []int32 {
	if x.m != nil {
		return append(out, x.m[string(s)]...)
	}
	for i := range x.list {
		if x.list[i].key == string(s) {
			return append(out, x.list[i].kids...)
		}
	}
	return out
}

func (x *strIndex) add(k string, v int32) {
	if x.m != nil {
		x.m[k] = append(x.m[k], v)
		return
	}
	for i := range x.list {
		if x.list[i].key == k {
			x.list[i].kids = append(x.list[i].kids, v)
			return
		}
	}
	if len(x.list) < maxSmall {
		x.list = append(x.list, strRef{k, []int32{v}})
		return
	}
	x.m = make(map[string][]int32, len(x.list)+1)
	for _, r := range x.list {
		x.m[r.key] = r.kids
	}
	x.list = nil
	x.m[k] = []int32{v}
}

func (x *strIndex) remove(k string, v int32) {
	if x.m != nil {
		removeFrom(x.m, k, v)
		return
	}
	for i := range x.list {
		if x.list[i].key != k {
			continue
		}
		removeVal(&x.list[i].kids, v)
		if len(x.list[i].kids) == 0 {
			x.list = append(x.list[:i], x.list[i+1:]...)
			if len(x.list) == 0 {
				x.list = nil
			}
		}
		return
	}
}
