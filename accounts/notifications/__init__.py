"""What people are told: in-app notifications and their e-mail, branded per
organization, sent one at a time or as a daily digest."""
