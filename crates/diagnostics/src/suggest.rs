//! "Did you mean ...?": the known name closest to a misspelt one, for help lines.

/// The candidate closest to `name` by edit distance, if it is close enough to be a typo
/// (at most a third of the name's length, and at least one edit). `name` itself never counts.
pub fn closest_name<'n>(name: &str, candidates: &[&'n str]) -> Option<&'n str> {
    let limit = name.chars().count().div_ceil(3).max(1);
    candidates
        .iter()
        .filter(|c| **c != name)
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_found_and_strangers_are_not() {
        assert_eq!(
            closest_name("dobule", &["double", "triple"]),
            Some("double")
        );
        assert_eq!(closest_name("x", &["double"]), None);
        assert_eq!(closest_name("same", &["same"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
