"""Outputs: interactive Folium maps, the offline gallery and static figures."""
