//! DEU III reader. (Being implemented.)
