//! Scoring forecasts against recorded outcomes. (Being implemented.)
