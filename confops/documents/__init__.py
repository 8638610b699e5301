"""Every PDF confops prints: badges now; certificates and receipts later. Layouts live in badges/."""
