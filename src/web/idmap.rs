//! [`IdMap`]: the driver's few sockets and calls, by id.

/// A map from ids to values, kept sorted by id in a `Vec`.
///
/// The driver holds a handful of sockets and calls at a time, so a binary search over a
/// vector is as fast as a B-tree, and its code is a fraction of `BTreeMap`'s (about 6 kB
/// of wasm per key and value type). Iteration is in id order, as `BTreeMap`'s is.
pub(crate) struct IdMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for IdMap<K, V> {
    fn default() -> Self {
        IdMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord + Copy, V> IdMap<K, V> {
    fn find(&self, id: K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(&id))
    }

    /// The value of `id`.
    pub(crate) fn get(&self, id: K) -> Option<&V> {
        self.find(id).ok().map(|i| &self.entries[i].1)
    }

    /// Sets the value of `id`, returning the value it replaces.
    pub(crate) fn insert(&mut self, id: K, value: V) -> Option<V> {
        match self.find(id) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (id, value));
                None
            }
        }
    }

    /// The value of `id`, made by `make` when there is none.
    pub(crate) fn get_or_insert_with(&mut self, id: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(id) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (id, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Removes `id`, returning its value.
    pub(crate) fn remove(&mut self, id: K) -> Option<V> {
        self.find(id).ok().map(|i| self.entries.remove(i).1)
    }

    /// The values, in id order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Removes everything.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

impl<K, V> IntoIterator for IdMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    /// The entries, in id order.
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}
