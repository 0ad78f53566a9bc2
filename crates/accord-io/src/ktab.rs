//! KTAB CSV and XML readers. (Being implemented.)
